package io.bitnetstreams.worker.engine;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.engine.tasks.EngineException;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link WorkExecutor} on the engine's {@link InferenceEngine} (continuous batching). The engine serves
 * requests first come first served, so priority is applied here: items wait in a priority queue and a
 * dispatcher hands at most {@code maxConcurrent} of them to the engine at a time (the engine batches
 * those together). Expired items end as EXPIRED before reaching the engine.
 *
 * <p>Engine failures map to: QUEUE_FULL, CLOSED -> {@link TransientWorkException} (retried);
 * DEADLINE_EXCEEDED -> EXPIRED; INVALID_REQUEST, TOO_LARGE, INTERNAL -> permanent (FAILED result).
 */
public final class EngineWorkExecutor implements WorkExecutor {

    private static final Logger log = LoggerFactory.getLogger(EngineWorkExecutor.class);

    private record Job(WorkItem item, CompletableFuture<WorkOutcome> future, long sequence, long submittedAt,
                       java.util.concurrent.atomic.AtomicBoolean released) {}

    private final InferenceEngine engine;
    private final String modelId;
    private final int capacity;
    private final int maxExtractTokens;
    private final Semaphore engineSlots;
    private final Clock clock;
    private final AutoCloseable resources;
    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>(16,
            Comparator.<Job>comparingInt(j -> -j.item().getPriority()).thenComparingLong(Job::sequence));
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread dispatcher;
    private volatile boolean closed;

    /**
     * @param resources closed after the engine (model file, compute pool); may be null
     */
    public EngineWorkExecutor(InferenceEngine engine, String modelId, int capacity, int maxConcurrent,
                              int maxExtractTokens, Clock clock, AutoCloseable resources) {
        if (capacity < 1 || maxConcurrent < 1 || maxExtractTokens < 1) {
            throw new IllegalArgumentException("capacity, maxConcurrent and maxExtractTokens must be >= 1");
        }
        this.engine = engine;
        this.modelId = modelId;
        this.capacity = capacity;
        this.maxExtractTokens = maxExtractTokens;
        this.engineSlots = new Semaphore(maxConcurrent);
        this.clock = clock;
        this.resources = resources;
        this.dispatcher = Thread.ofPlatform().name("bitnet-engine-dispatcher").daemon().start(this::dispatch);
    }

    @Override
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        if (closed) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("executor closed"));
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new TransientWorkException("executor queue full (" + capacity + ")"));
        }
        CompletableFuture<WorkOutcome> future = new CompletableFuture<>();
        Job job = new Job(item, future, sequence.getAndIncrement(), clock.millis(), new java.util.concurrent.atomic.AtomicBoolean());
        future.whenComplete((o, e) -> release(job)); // cancellation frees the slot at once
        queue.add(job);
        return future;
    }

    private void release(Job job) {
        if (job.released().compareAndSet(false, true)) {
            inFlight.decrementAndGet();
        }
    }

    /** Releases the slot before completing: the caller may submit the next item from the callbacks. */
    private void complete(Job job, WorkOutcome outcome) {
        release(job);
        job.future().complete(outcome);
    }

    private void completeExceptionally(Job job, Throwable failure) {
        release(job);
        job.future().completeExceptionally(failure);
    }

    private void dispatch() {
        while (!closed) {
            try {
                Job job = queue.poll(100, TimeUnit.MILLISECONDS);
                if (job == null || job.future().isDone()) {
                    continue;
                }
                long now = clock.millis();
                if (job.item().getDeadline() != null && job.item().getDeadline().toEpochMilli() <= now) {
                    complete(job, WorkOutcome.expired("deadline passed while queued", now - job.submittedAt()));
                    continue;
                }
                engineSlots.acquire();
                start(job, now - job.submittedAt());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("dispatcher failure", e);
            }
        }
    }

    private void start(Job job, long queuedMs) {
        long started = clock.millis();
        CompletableFuture<? extends Object> running;
        try {
            running = run(job.item());
        } catch (RuntimeException e) {
            engineSlots.release();
            fail(job, e, queuedMs);
            return;
        }
        job.future().whenComplete((o, e) -> {
            if (job.future().isCancelled()) {
                running.cancel(false); // the engine frees the sequence at its next step
            }
        });
        running.whenComplete((result, failure) -> {
            engineSlots.release();
            if (failure != null) {
                fail(job, failure, queuedMs);
                return;
            }
            try {
                complete(job, outcome(job.item(), result, queuedMs, clock.millis() - started));
            } catch (RuntimeException e) {
                completeExceptionally(job, e);
            }
        });
    }

    private CompletableFuture<? extends Object> run(WorkItem item) {
        Instant deadline = item.getDeadline();
        return switch (item.getTask()) {
            case ClassifyTask t -> engine.classify(EngineTasks.classification(item, t, deadline));
            case ExtractTask t -> engine.extract(EngineTasks.extraction(item, t, maxExtractTokens, deadline));
            case GenerateTask t -> engine.generate(EngineTasks.generation(item, t, deadline), null);
            default -> throw new IllegalArgumentException("unknown task type " + item.getTask().getClass().getName());
        };
    }

    private WorkOutcome outcome(WorkItem item, Object result, long queuedMs, long inferenceMs) {
        return EngineTasks.outcome(result, queuedMs, inferenceMs);
    }

    private void fail(Job job, Throwable failure, long queuedMs) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof EngineException engineFailure) {
            switch (engineFailure.reason()) {
                case QUEUE_FULL, CLOSED -> completeExceptionally(job, new TransientWorkException(engineFailure.getMessage(), engineFailure));
                case DEADLINE_EXCEEDED -> complete(job, WorkOutcome.expired(engineFailure.getMessage(), queuedMs));
                default -> completeExceptionally(job, engineFailure);
            }
        } else {
            completeExceptionally(job, cause);
        }
    }

    @Override
    public int queueCapacity() {
        return capacity;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int queued() {
        return queue.size();
    }

    @Override
    public boolean ready() {
        return !closed;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public void close() {
        closed = true;
        dispatcher.interrupt();
        Job job;
        while ((job = queue.poll()) != null) {
            complete(job, new WorkOutcome(WorkStatus.CANCELLED, null, "executor closed", 0, 0, 0, 0, 0));
        }
        engine.close();
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                log.warn("closing model resources: {}", e.toString());
            }
        }
    }
}

package io.bitnetstreams.worker.engine;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.engine.tasks.EngineException;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import io.bitnetstreams.worker.executor.AdmissionQueue;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link WorkExecutor} on the engine's {@link InferenceEngine} (continuous batching). Work waits in the worker's one
 * {@link AdmissionQueue} (priority, deadlines, cancellation, the bound); a dispatcher hands an item to the engine
 * only when one of its {@code maxConcurrent} places is free, so the engine batches those together and its own queue
 * only ever holds requests waiting for KV memory. Expired items end as EXPIRED before reaching the engine.
 *
 * <p>Engine failures map to: QUEUE_FULL, CLOSED -> {@link TransientWorkException} (retried);
 * DEADLINE_EXCEEDED -> EXPIRED; INVALID_REQUEST, TOO_LARGE, INTERNAL -> permanent (FAILED result).
 */
public final class EngineWorkExecutor implements WorkExecutor {

    private static final Logger log = LoggerFactory.getLogger(EngineWorkExecutor.class);

    private final InferenceEngine engine;
    private final String modelId;
    private final int maxExtractTokens;
    private final Semaphore engineSlots;
    private final Clock clock;
    private final AutoCloseable resources;
    private final AdmissionQueue queue;
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
        this.maxExtractTokens = maxExtractTokens;
        this.engineSlots = new Semaphore(maxConcurrent);
        this.clock = clock;
        this.resources = resources;
        this.queue = new AdmissionQueue(capacity, clock);
        this.dispatcher = Thread.ofPlatform().name("bitnet-engine-dispatcher").daemon().start(this::dispatch);
    }

    @Override
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        return queue.submit(item);
    }

    /** Takes an engine place first, then the best waiting item: priorities hold until the engine can start one. */
    private void dispatch() {
        while (!closed) {
            try {
                engineSlots.acquire();
                Job job = queue.take(100);
                if (job == null) {
                    engineSlots.release();
                    continue;
                }
                start(job, job.queuedMillis());
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
        InferenceEngine.Stats before = engine.stats();
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
                job.complete(outcome(job.item(), result, queuedMs, clock.millis() - started,
                        meanBatchSize(before, engine.stats())));
            } catch (RuntimeException e) {
                job.fail(e);
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

    /**
     * The real batch size an item saw: the mean number of sequences of the engine steps run while it was in the
     * engine (the engine counts the sequences of every step).
     */
    static int meanBatchSize(InferenceEngine.Stats before, InferenceEngine.Stats after) {
        long steps = after.steps() - before.steps();
        if (steps <= 0) {
            return 1;
        }
        return (int) Math.max(1, Math.round((double) (after.stepSequences() - before.stepSequences()) / steps));
    }

    private WorkOutcome outcome(WorkItem item, Object result, long queuedMs, long inferenceMs, int batchSize) {
        return EngineTasks.outcome(result, queuedMs, inferenceMs, batchSize);
    }

    private void fail(Job job, Throwable failure, long queuedMs) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof EngineException engineFailure) {
            switch (engineFailure.reason()) {
                case QUEUE_FULL, CLOSED -> job.fail(new TransientWorkException(engineFailure.getMessage(), engineFailure));
                case DEADLINE_EXCEEDED -> job.complete(WorkOutcome.expired(engineFailure.getMessage(), queuedMs));
                default -> job.fail(engineFailure);
            }
        } else {
            job.fail(cause);
        }
    }

    @Override
    public int queueCapacity() {
        return queue.capacity();
    }

    @Override
    public int inFlight() {
        return queue.inFlight();
    }

    @Override
    public int queued() {
        return queue.queued();
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
        queue.close();
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

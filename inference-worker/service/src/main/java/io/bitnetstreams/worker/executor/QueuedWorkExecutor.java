package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded priority queue in front of a fixed number of runner threads; subclasses only say how one
 * batch of items runs. Higher priority first, first come first served within a priority. Items whose
 * deadline passed while queued end as EXPIRED without running; cancelled futures are skipped.
 */
public abstract class QueuedWorkExecutor implements WorkExecutor {

    private static final Logger log = LoggerFactory.getLogger(QueuedWorkExecutor.class);

    /** A queued item. */
    protected record Job(WorkItem item, CompletableFuture<WorkOutcome> future, long sequence, long submittedAtMillis,
                         java.util.concurrent.atomic.AtomicBoolean released) {}

    private static final Comparator<Job> ORDER = Comparator.<Job>comparingInt(j -> -j.item().getPriority())
            .thenComparingLong(Job::sequence);

    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>(16, ORDER);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final int capacity;
    private final int maxBatchSize;
    private final List<Thread> runners = new ArrayList<>();
    protected final Clock clock;
    private volatile boolean closed;

    protected QueuedWorkExecutor(String name, int runnerThreads, int capacity, int maxBatchSize, Clock clock) {
        if (runnerThreads < 1 || capacity < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("threads, capacity and batch size must be >= 1");
        }
        this.capacity = capacity;
        this.maxBatchSize = maxBatchSize;
        this.clock = clock;
        for (int i = 0; i < runnerThreads; i++) {
            Thread thread = Thread.ofPlatform().name(name + "-" + i).daemon().unstarted(this::runLoop);
            runners.add(thread);
        }
    }

    /** Starts the runner threads; call once the subclass is fully constructed. */
    protected final void start() {
        runners.forEach(Thread::start);
    }

    /**
     * Runs one batch, completing each job's future through {@link #complete} or {@link #fail}; a job left
     * incomplete, or all of them when this throws, fails with the exception. Called on a runner thread with
     * items already checked for expiry and cancellation.
     */
    protected abstract void runBatch(List<Job> jobs) throws Exception;

    /** Milliseconds the job waited before its batch started. */
    protected final long queuedMillis(Job job) {
        return Math.max(0, clock.millis() - job.submittedAtMillis());
    }

    /**
     * Completes the job. Its capacity is released first: the caller may submit the next item from inside
     * the future's callbacks and must find room.
     */
    protected final void complete(Job job, WorkOutcome outcome) {
        release(job);
        job.future().complete(outcome);
    }

    protected final void fail(Job job, Throwable failure) {
        release(job);
        job.future().completeExceptionally(failure);
    }

    private void release(Job job) {
        if (job.released().compareAndSet(false, true)) {
            inFlight.decrementAndGet();
        }
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
        future.whenComplete((outcome, failure) -> release(job)); // cancellation frees the slot at once
        queue.add(job);
        return future;
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

    private void runLoop() {
        while (!closed) {
            List<Job> batch = takeBatch();
            if (!batch.isEmpty()) {
                runJobs(batch);
            }
        }
    }

    private List<Job> takeBatch() {
        List<Job> batch = new ArrayList<>();
        try {
            Job first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return batch;
            }
            addIfRunnable(first, batch);
            while (batch.size() < maxBatchSize) {
                Job next = queue.poll();
                if (next == null) {
                    break;
                }
                addIfRunnable(next, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
        return batch;
    }

    private void addIfRunnable(Job job, List<Job> batch) {
        long now = clock.millis();
        if (job.future().isDone()) {
            release(job);
            return;
        }
        if (job.item().getDeadline() != null && job.item().getDeadline().toEpochMilli() <= now) {
            complete(job, WorkOutcome.expired("deadline passed while queued", now - job.submittedAtMillis()));
            return;
        }
        batch.add(job);
    }

    private void runJobs(List<Job> batch) {
        Throwable batchFailure = null;
        try {
            runBatch(batch);
        } catch (Throwable failure) {
            batchFailure = failure;
            if (!(failure instanceof TransientWorkException)) {
                log.debug("batch of {} failed", batch.size(), failure);
            }
        }
        for (Job job : batch) {
            if (!job.future().isDone()) {
                fail(job, batchFailure != null ? batchFailure : new IllegalStateException("executor left the job without an outcome"));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread runner : runners) {
            runner.interrupt();
        }
        for (Thread runner : runners) {
            try {
                runner.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Job job;
        while ((job = queue.poll()) != null) {
            complete(job, new WorkOutcome(WorkStatus.CANCELLED, null, "executor closed", 0, 0, 0, 0, 0));
        }
    }
}

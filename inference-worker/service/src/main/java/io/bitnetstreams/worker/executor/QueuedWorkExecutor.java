package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of runner threads taking batches from the worker's {@link AdmissionQueue} (which owns priority,
 * deadlines, cancellation and the bound); subclasses only say how one batch of items runs.
 */
public abstract class QueuedWorkExecutor implements WorkExecutor {

    private static final Logger log = LoggerFactory.getLogger(QueuedWorkExecutor.class);

    private final AdmissionQueue queue;
    private final int maxBatchSize;
    private final List<Thread> runners = new ArrayList<>();
    protected final Clock clock;

    protected QueuedWorkExecutor(String name, int runnerThreads, int capacity, int maxBatchSize, Clock clock) {
        if (runnerThreads < 1 || capacity < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("threads, capacity and batch size must be >= 1");
        }
        this.queue = new AdmissionQueue(capacity, clock);
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
        return job.queuedMillis();
    }

    /** Completes the job (its place in the queue is free before the future's callbacks run). */
    protected final void complete(Job job, WorkOutcome outcome) {
        job.complete(outcome);
    }

    protected final void fail(Job job, Throwable failure) {
        job.fail(failure);
    }

    @Override
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        return queue.submit(item);
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

    private void runLoop() {
        while (!queue.closed()) {
            List<Job> batch;
            try {
                batch = queue.takeBatch(maxBatchSize, 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!batch.isEmpty()) {
                runJobs(batch);
            }
        }
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
        queue.close();
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
        queue.close(); // anything a runner put back while stopping
    }
}

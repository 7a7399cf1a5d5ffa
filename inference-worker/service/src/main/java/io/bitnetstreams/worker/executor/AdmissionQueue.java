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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's one admission queue, in front of whatever runs the items (the engine, the keyword rules, test
 * executors). It holds every rule about waiting work in one place:
 * <ul>
 *   <li>bounded: at most {@code capacity} items queued or running; beyond that {@link #submit} fails with a
 *       {@link TransientWorkException} (the worker's flow control pauses consumption before that happens);</li>
 *   <li>priority: higher {@code priority} first, first come first served within a priority;</li>
 *   <li>deadline: an item whose deadline passed while it waited ends as EXPIRED and is never handed out;</li>
 *   <li>cancellation: cancelling an item's future frees its place at once, and it is never handed out.</li>
 * </ul>
 * A place stays taken from {@link #submit} until the item's future completes; it is released just before, so a
 * completion callback may submit the next item.
 */
public final class AdmissionQueue {

    /** An item with the future its submitter holds; runners finish it with {@link #complete} or {@link #fail}. */
    public static final class Job {
        private final WorkItem item;
        private final CompletableFuture<WorkOutcome> future = new CompletableFuture<>();
        private final long sequence;
        private final long submittedAtMillis;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AdmissionQueue queue;

        private Job(WorkItem item, long sequence, long submittedAtMillis, AdmissionQueue queue) {
            this.item = item;
            this.sequence = sequence;
            this.submittedAtMillis = submittedAtMillis;
            this.queue = queue;
        }

        public WorkItem item() {
            return item;
        }

        public CompletableFuture<WorkOutcome> future() {
            return future;
        }

        public long submittedAtMillis() {
            return submittedAtMillis;
        }

        /** Milliseconds from submission until now. */
        public long queuedMillis() {
            return Math.max(0, queue.clock.millis() - submittedAtMillis);
        }

        /** Frees the place, then completes the future. */
        public void complete(WorkOutcome outcome) {
            release();
            future.complete(outcome);
        }

        /** Frees the place, then fails the future. */
        public void fail(Throwable failure) {
            release();
            future.completeExceptionally(failure);
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                queue.inFlight.decrementAndGet();
            }
        }

        private boolean expired(long now) {
            return item.getDeadline() != null && item.getDeadline().toEpochMilli() <= now;
        }
    }

    private static final Comparator<Job> ORDER = Comparator.<Job>comparingInt(job -> -job.item.getPriority())
            .thenComparingLong(job -> job.sequence);

    private final PriorityBlockingQueue<Job> waiting = new PriorityBlockingQueue<>(16, ORDER);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final int capacity;
    private final Clock clock;
    private volatile boolean closed;

    public AdmissionQueue(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Queues the item, or returns a failed future: TransientWorkException when full, rejected once closed. */
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        if (closed) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("executor closed"));
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new TransientWorkException("executor queue full (" + capacity + ")"));
        }
        Job job = new Job(item, sequence.getAndIncrement(), clock.millis(), this);
        job.future.whenComplete((outcome, failure) -> job.release()); // cancellation frees the place at once
        waiting.add(job);
        return job.future;
    }

    /**
     * The next item to run, waiting up to {@code timeoutMillis} for one; null when none came. Cancelled items are
     * skipped and expired ones completed as EXPIRED on the way.
     */
    public Job take(long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = until - System.nanoTime();
            Job job = left > 0 ? waiting.poll(left, TimeUnit.NANOSECONDS) : waiting.poll();
            if (job == null) {
                return null;
            }
            if (runnable(job)) {
                return job;
            }
        }
    }

    /** The next runnable item if one is waiting now, else null. */
    public Job poll() {
        for (Job job = waiting.poll(); job != null; job = waiting.poll()) {
            if (runnable(job)) {
                return job;
            }
        }
        return null;
    }

    /** Up to {@code max} runnable items: waits up to {@code timeoutMillis} for the first, takes the rest if there. */
    public List<Job> takeBatch(int max, long timeoutMillis) throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        Job first = take(timeoutMillis);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        for (Job next = batch.size() < max ? poll() : null; next != null; next = batch.size() < max ? poll() : null) {
            batch.add(next);
        }
        return batch;
    }

    private boolean runnable(Job job) {
        if (job.future.isDone()) {
            job.release();
            return false;
        }
        long now = clock.millis();
        if (job.expired(now)) {
            job.complete(WorkOutcome.expired("deadline passed while queued", now - job.submittedAtMillis));
            return false;
        }
        return true;
    }

    public int capacity() {
        return capacity;
    }

    /** Items queued or running. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Items waiting to be handed out. */
    public int queued() {
        return waiting.size();
    }

    public boolean closed() {
        return closed;
    }

    /** Refuses new items and completes every waiting one as CANCELLED. */
    public void close() {
        closed = true;
        for (Job job = waiting.poll(); job != null; job = waiting.poll()) {
            job.complete(new WorkOutcome(WorkStatus.CANCELLED, null, "executor closed", 0, 0, 0, 0, 0));
        }
    }
}

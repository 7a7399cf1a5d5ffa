package io.bitnetstreams.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's own compute threads (never the common ForkJoinPool), sized by {@code --threads}.
 * {@link #parallelFor} splits a range into one contiguous slice per thread; the calling thread
 * works on the first slice itself.
 *
 * <p>Decode runs a few hundred small matmuls per token, so dispatch latency matters more than
 * anything else here: workers are persistent, spin briefly on a generation counter after each job
 * (a new job usually arrives within microseconds) and only then park. The caller spins while it
 * waits for the other slices. One job runs at a time; concurrent callers queue on a lock, and a
 * nested call from inside a body runs inline on the calling thread.
 */
public final class ComputePool implements AutoCloseable {

    /** A body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker spins before it parks: long enough to bridge the gaps between matmuls. */
    private static final long SPIN_BEFORE_PARK_NANOS = 200_000L;
    /** Spin iterations between clock reads (System.nanoTime is not free). */
    private static final int SPINS_PER_CLOCK_CHECK = 64;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock dispatchLock = new ReentrantLock();

    // The current job, published by the volatile write of `generation`.
    private RangeBody jobBody;
    private int jobFrom;
    private int jobLength;
    private int jobSlices;
    private volatile long generation;
    private final AtomicInteger pendingSlices = new AtomicInteger();
    private volatile Throwable jobFailure;
    private volatile boolean closed;

    public ComputePool(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024]: " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    /** A pool that runs everything on the calling thread. */
    public static ComputePool singleThreaded() {
        return new ComputePool(1);
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over [from, to) split into at most {@link #threads()} slices; waits for all. */
    public void parallelFor(int from, int to, RangeBody body) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        int slices = Math.min(threads, n);
        if (slices == 1 || closed || isOwnThread()) {
            body.run(from, to);
            return;
        }
        dispatchLock.lock();
        try {
            runJob(from, n, slices, body);
        } finally {
            dispatchLock.unlock();
        }
    }

    private boolean isOwnThread() {
        if (dispatchLock.isHeldByCurrentThread()) {
            return true;
        }
        Thread current = Thread.currentThread();
        for (Worker w : workers) {
            if (w.thread == current) {
                return true;
            }
        }
        return false;
    }

    private void runJob(int from, int n, int slices, RangeBody body) {
        jobBody = body;
        jobFrom = from;
        jobLength = n;
        jobSlices = slices;
        jobFailure = null;
        // Every worker acknowledges every job (idle ones at once), so none can mistake the fields of a
        // later job for the one it woke up for.
        pendingSlices.set(workers.length);
        generation = generation + 1; // publishes the job fields above
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w.thread);
            }
        }
        Throwable own = null;
        try {
            body.run(from, from + sliceEnd(n, slices, 0));
        } catch (RuntimeException | Error e) {
            own = e;
        }
        awaitWorkers();
        jobBody = null;
        Throwable failure = own != null ? own : jobFailure;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    private void awaitWorkers() {
        int spins = 0;
        while (pendingSlices.get() != 0) {
            if (++spins < 100_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker was descheduled: give it the core
            }
        }
    }

    private static int sliceEnd(int n, int slices, int index) {
        return (int) ((long) n * (index + 1) / slices);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
            this.thread = new Thread(this, "bitnet-compute-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // no job can precede the workers: they start in the constructor
            while (true) {
                long next = awaitNextGeneration(seen);
                if (next < 0) {
                    return;
                }
                seen = next;
                if (index < jobSlices) {
                    runSlice();
                } else {
                    pendingSlices.decrementAndGet();
                }
            }
        }

        private void runSlice() {
            int n = jobLength;
            int slices = jobSlices;
            int lo = jobFrom + (int) ((long) n * index / slices);
            int hi = jobFrom + sliceEnd(n, slices, index);
            try {
                jobBody.run(lo, hi);
            } catch (RuntimeException | Error e) {
                jobFailure = e;
            } finally {
                pendingSlices.decrementAndGet();
            }
        }

        /** Spins, then parks, until the generation moves past {@code seen}; -1 once closed. */
        private long awaitNextGeneration(long seen) {
            long spinStart = System.nanoTime();
            int spins = 0;
            while (true) {
                long g = generation;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return -1;
                }
                if (++spins % SPINS_PER_CLOCK_CHECK != 0
                        || System.nanoTime() - spinStart < SPIN_BEFORE_PARK_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (generation == seen && !closed) { // re-check after announcing: no lost wake-up
                    LockSupport.park(this);
                }
                parked = false;
                spinStart = System.nanoTime();
            }
        }
    }

}

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
 * anything else here: workers are persistent, spin briefly after each job (a new job usually
 * arrives within microseconds) and only then park. Slices are claimed, not assigned: the caller
 * runs its slice, then any slice no worker has started (a descheduled worker on a busy machine
 * costs nothing), and spins only on slices already running. One job runs at a time; concurrent
 * callers queue on a lock, and a nested call from inside a body runs inline on the calling thread.
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

    /**
     * One parallel loop. Pieces are claimed, by the workers and by the caller
     * once its own piece is done, so a worker the OS has not scheduled yet never holds the caller up:
     * the caller runs the piece itself. A worker that wakes up late sees an exhausted job.
     *
     * <p>parallelFor and parallelForChunks cut the range into {@code slices} equal slices;
     * parallelForGuided claims guided pieces (see there).
     */
    private static final class Job {
        final RangeBody body;
        final int from;
        final int length;
        /** Equal slices, or 0 for guided pieces. */
        final int slices;
        final int minChunk;
        final int divisor;
        /** The next slice index, or for guided pieces the offset of the next unclaimed element. */
        final AtomicInteger next = new AtomicInteger();
        /** Slices finished, or for guided pieces elements finished. */
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        private Job(RangeBody body, int from, int length, int slices, int minChunk, int divisor) {
            this.body = body;
            this.from = from;
            this.length = length;
            this.slices = slices;
            this.minChunk = minChunk;
            this.divisor = divisor;
        }

        static Job sliced(RangeBody body, int from, int length, int slices) {
            return new Job(body, from, length, slices, 0, 0);
        }

        static Job guided(RangeBody body, int from, int length, int minChunk, int threads) {
            return new Job(body, from, length, 0, Math.max(1, minChunk), 2 * threads);
        }

        boolean finished() {
            return done.get() == (slices > 0 ? slices : length);
        }

        /** Claims and runs pieces until none is left. */
        void work() {
            if (slices > 0) {
                int slice;
                while ((slice = next.getAndIncrement()) < slices) {
                    int lo = from + (int) ((long) length * slice / slices);
                    int hi = from + (int) ((long) length * (slice + 1) / slices);
                    run(lo, hi);
                    done.incrementAndGet();
                }
                return;
            }
            while (true) {
                int start = next.get();
                if (start >= length) {
                    return;
                }
                int left = length - start;
                int end = start + Math.min(left, Math.max(minChunk, (left + divisor - 1) / divisor));
                if (next.compareAndSet(start, end)) {
                    run(from + start, from + end);
                    done.addAndGet(end - start);
                }
            }
        }

        private void run(int lo, int hi) {
            try {
                body.run(lo, hi);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
    }

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock dispatchLock = new ReentrantLock();
    private volatile Job currentJob;
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
            runJob(Job.sliced(body, from, n, slices));
        } finally {
            dispatchLock.unlock();
        }
    }

    /**
     * Like {@link #parallelFor}, but cut into up to {@code chunks} contiguous pieces that the threads
     * claim one at a time: better balance when a thread is slowed down (a shared machine, uneven
     * pieces). The body may run many times per thread, so it must not assume one call per thread.
     */
    public void parallelForChunks(int from, int to, int chunks, RangeBody body) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be positive: " + chunks);
        }
        int n = to - from;
        if (n <= 0) {
            return;
        }
        if (threads == 1 || closed || isOwnThread()) {
            body.run(from, to);
            return;
        }
        dispatchLock.lock();
        try {
            runJob(Job.sliced(body, from, n, Math.min(n, Math.max(chunks, threads))));
        } finally {
            dispatchLock.unlock();
        }
    }

    /**
     * Like {@link #parallelForChunks}, but with guided pieces: each claim takes {@code 1 / (2 * threads)}
     * of what is still unclaimed, at least {@code minChunk} elements. The first pieces are large (few
     * claims), the last ones small, so whoever runs out of work first waits at most one small piece for
     * the others instead of one of many equal chunks. For ranges of uniform cost (matrix rows); a range
     * whose elements differ in cost (attention units, tensors) is better served by
     * {@link #parallelForChunks} with one element per chunk. The body may run many times per thread.
     */
    public void parallelForGuided(int from, int to, int minChunk, RangeBody body) {
        if (minChunk < 1) {
            throw new IllegalArgumentException("minChunk must be positive: " + minChunk);
        }
        int n = to - from;
        if (n <= 0) {
            return;
        }
        if (threads == 1 || n <= minChunk || closed || isOwnThread()) {
            body.run(from, to);
            return;
        }
        dispatchLock.lock();
        try {
            runJob(Job.guided(body, from, n, minChunk, threads));
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

    private void runJob(Job job) {
        currentJob = job;
        int helpers = job.slices > 0 ? Math.min(workers.length, job.slices - 1) : workers.length;
        for (int i = 0; i < helpers; i++) {
            Worker w = workers[i];
            if (w.parked) {
                LockSupport.unpark(w.thread);
            }
        }
        job.work();
        int spins = 0;
        while (!job.finished()) { // pieces a worker has claimed and is still running
            if (++spins < 100_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // that worker was descheduled: give it the core
            }
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    private final class Worker implements Runnable {
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.thread = new Thread(this, "bitnet-compute-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job job = awaitNewJob(seen);
                if (job == null) {
                    return;
                }
                seen = job;
                job.work();
            }
        }

        /** Spins, then parks, until a job other than {@code seen} is published; null once closed. */
        private Job awaitNewJob(Job seen) {
            long spinStart = System.nanoTime();
            int spins = 0;
            while (true) {
                Job job = currentJob;
                if (job != seen) {
                    return job;
                }
                if (closed) {
                    return null;
                }
                if (++spins % SPINS_PER_CLOCK_CHECK != 0
                        || System.nanoTime() - spinStart < SPIN_BEFORE_PARK_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (currentJob == seen && !closed) { // re-check after announcing: no lost wake-up
                    LockSupport.park(this);
                }
                parked = false;
                spinStart = System.nanoTime();
            }
        }
    }
}

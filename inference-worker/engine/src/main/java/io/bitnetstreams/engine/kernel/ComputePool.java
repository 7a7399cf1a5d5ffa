package io.bitnetstreams.engine.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own compute threads (never the common ForkJoinPool), sized by {@code --threads}.
 * {@link #parallelFor} splits a range into one contiguous slice per thread; the calling thread
 * works on the first slice itself.
 */
public final class ComputePool implements AutoCloseable {

    /** A body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService workers;

    public ComputePool(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024]: " + threads);
        }
        this.threads = threads;
        AtomicInteger counter = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "bitnet-compute-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
        if (slices == 1) {
            body.run(from, to);
            return;
        }
        List<Future<?>> pending = new ArrayList<>(slices - 1);
        for (int i = 1; i < slices; i++) {
            int lo = from + (int) ((long) n * i / slices);
            int hi = from + (int) ((long) n * (i + 1) / slices);
            pending.add(workers.submit(() -> body.run(lo, hi)));
        }
        body.run(from, from + (int) ((long) n / slices));
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for compute threads", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}

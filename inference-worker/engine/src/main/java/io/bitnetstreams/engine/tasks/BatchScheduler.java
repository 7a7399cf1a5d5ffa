package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.BatchedForward;
import io.bitnetstreams.engine.model.BatchedForward.Segment;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching, for any kind of {@link Sequence}: it knows nothing of tasks, prompts or labels. One scheduler
 * thread runs steps; each step advances every running sequence together: decode tokens first, then prompt chunks,
 * within {@link EngineConfig#stepTokenBudget()} tokens, all in one {@link BatchedForward#step} (one ternary matmul per
 * layer for the whole batch); prompt chunks go in arrival order, so documents finish one after another. New sequences join at the next step; finished, cancelled ({@code future.cancel}) and
 * expired ones leave and return their KV memory. A sequence reserves KV memory for its largest size on admission;
 * when the pool is full it waits in a bounded queue and is rejected (QUEUE_FULL) only when that is full.
 */
final class BatchScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

    private final BatchedForward forward;
    private final EngineConfig config;
    private final PrefixCache prefixes;
    private final long bytesPerToken;
    private final long poolTokens;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
    private final List<Sequence> active = new ArrayList<>();
    private final Thread scheduler;
    private long reservedTokens;
    private boolean closed;
    // written by the scheduler thread only; volatile so stats() sees them
    private volatile long steps;
    private volatile long stepTokens;
    private volatile long stepSequences;
    private volatile int maxBatchSequences;
    private volatile long decodeStepTokens;
    private volatile long decodeStepNanos;

    /** {@code prefixes} (may be null) is only reported in {@link #stats()}. */
    BatchScheduler(BatchedForward forward, EngineConfig config, PrefixCache prefixes) {
        this.forward = forward;
        this.config = config;
        this.prefixes = prefixes;
        this.bytesPerToken = forward.bytesPerToken();
        this.poolTokens = config.kvPoolBytes() / bytesPerToken;
        this.scheduler = Thread.ofPlatform().name("bitnet-scheduler").daemon(true).start(this::run);
    }

    /** Queues a built sequence, or fails it at once (CLOSED, TOO_LARGE, QUEUE_FULL). */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(Sequence sequence) {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new EngineException(EngineException.Reason.CLOSED, "engine closed"));
            }
            if (sequence.reservedTokens > poolTokens) {
                return CompletableFuture.failedFuture(new EngineException(EngineException.Reason.TOO_LARGE,
                        "request needs KV memory for " + sequence.reservedTokens + " tokens; the pool holds "
                                + poolTokens));
            }
            if (queue.size() >= config.maxQueued() && !fitsNow(sequence)) {
                return CompletableFuture.failedFuture(new EngineException(EngineException.Reason.QUEUE_FULL,
                        queue.size() + " requests already wait for KV memory"));
            }
            queue.add(sequence);
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return (CompletableFuture<T>) sequence.future();
    }

    private boolean fitsNow(Sequence s) {
        return queue.isEmpty() && reservedTokens + s.reservedTokens <= poolTokens;
    }

    InferenceEngine.Stats stats() {
        lock.lock();
        try {
            return new InferenceEngine.Stats(steps, stepTokens, maxBatchSequences, active.size(), queue.size(),
                    reservedTokens * bytesPerToken, prefixes == null ? 0 : prefixes.entries(),
                    prefixes == null ? 0 : prefixes.hits(), prefixes == null ? 0 : prefixes.misses(),
                    decodeStepTokens, decodeStepNanos, stepSequences);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the scheduler; running and queued requests fail with reason CLOSED. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == scheduler) {
            return; // called from a listener or callback: the loop ends after this step
        }
        try {
            scheduler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                if (!admit()) {
                    break;
                }
                retire(Instant.now());
                if (!active.isEmpty()) {
                    step();
                    retire(Instant.now());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failAll(new EngineException(EngineException.Reason.CLOSED, "engine closed"));
        }
    }

    /** Waits for work and moves queued requests into the batch while the pool has room; false when closed. */
    private boolean admit() throws InterruptedException {
        lock.lock();
        try {
            while (!closed && active.isEmpty() && queue.isEmpty()) {
                work.await();
            }
            if (closed) {
                return false;
            }
            Instant now = Instant.now();
            for (Iterator<Sequence> it = queue.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.done()) {
                    it.remove(); // cancelled while waiting
                } else if (s.deadline != null && now.isAfter(s.deadline)) {
                    s.fail(new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "deadline passed while queued"));
                    it.remove();
                }
            }
            while (!queue.isEmpty() && reservedTokens + queue.peek().reservedTokens <= poolTokens) {
                Sequence s = queue.poll();
                reservedTokens += s.reservedTokens;
                s.admitted();
                active.add(s);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes finished, cancelled and expired sequences and returns their KV memory. */
    private void retire(Instant now) {
        lock.lock();
        try {
            for (Iterator<Sequence> it = active.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (!s.done() && s.deadline != null && now.isAfter(s.deadline)) {
                    s.deadlineExceeded();
                }
                if (s.done()) {
                    reservedTokens -= s.reservedTokens;
                    it.remove();
                    s.released();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void step() {
        // decode tokens first (their start rotates, so when they alone exceed the budget none waits forever), then
        // prompt work in arrival order: the oldest prompt gets the budget first and finishes first. Rotating prompts
        // too would finish a whole batch of documents together at the end, so a worker would answer nothing for the
        // batch's duration and then everything at once (its peers idle meanwhile in a closed loop); in arrival order
        // it answers one document after another at the same throughput.
        int running = active.size();
        int start = (int) (steps % running);
        List<Sequence> order = new ArrayList<>(running);
        for (int i = 0; i < running; i++) {
            Sequence s = active.get((start + i) % running);
            if (s.decoding()) {
                order.add(s);
            }
        }
        for (Sequence s : active) { // admission order
            if (!s.decoding()) {
                order.add(s);
            }
        }
        List<Segment> segments = new ArrayList<>();
        List<Sequence> owners = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int budget = config.stepTokenBudget();
        for (Sequence s : order) {
            if (budget <= 0) {
                break;
            }
            int before = segments.size();
            budget -= s.plan(budget, segments.isEmpty(), segments);
            if (segments.size() > before) {
                owners.add(s);
                counts.add(segments.size() - before);
            }
        }
        if (segments.isEmpty()) {
            return;
        }
        boolean decodeOnly = owners.stream().allMatch(Sequence::decoding);
        long started = System.nanoTime();
        float[][] logits;
        try {
            logits = forward.step(segments);
        } catch (RuntimeException e) {
            LOG.error("batched step failed; failing its {} requests", owners.size(), e);
            for (Sequence s : owners) {
                s.fail(new EngineException(EngineException.Reason.INTERNAL, "step failed: " + e.getMessage(), e));
            }
            return;
        }
        int tokens = 0;
        for (Segment s : segments) {
            tokens += s.tokens().length;
        }
        steps++;
        stepTokens += tokens;
        stepSequences += owners.size();
        maxBatchSequences = Math.max(maxBatchSequences, owners.size());
        int offset = 0;
        for (int i = 0; i < owners.size(); i++) {
            Sequence s = owners.get(i);
            int n = counts.get(i);
            try {
                if (!s.done()) {
                    s.consume(segments.subList(offset, offset + n),
                            java.util.Arrays.copyOfRange(logits, offset, offset + n));
                }
            } catch (RuntimeException e) {
                LOG.warn("request failed", e);
                s.fail(e instanceof EngineException ? e
                        : new EngineException(EngineException.Reason.INTERNAL, String.valueOf(e.getMessage()), e));
            }
            offset += n;
        }
        if (decodeOnly) {
            decodeStepTokens += tokens;
            decodeStepNanos += System.nanoTime() - started;
        }
    }

    private void failAll(EngineException error) {
        lock.lock();
        try {
            for (Sequence s : active) {
                s.fail(error);
                s.released();
            }
            for (Sequence s : queue) {
                s.fail(error);
            }
            active.clear();
            queue.clear();
            reservedTokens = 0;
        } finally {
            lock.unlock();
        }
    }
}

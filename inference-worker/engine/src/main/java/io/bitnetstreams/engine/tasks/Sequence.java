package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.BatchedForward.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One request's progress through the scheduler; all methods run on the scheduler thread. */
abstract class Sequence {

    final Instant deadline;
    final long reservedTokens;
    private final long submittedNanos = System.nanoTime();
    private long admittedNanos;
    private long promptDoneNanos;

    Sequence(Instant deadline, long reservedTokens) {
        this.deadline = deadline;
        this.reservedTokens = reservedTokens;
    }

    /** Records that the sequence joined the batch (for {@link RunStats}). */
    final void admitted() {
        admittedNanos = System.nanoTime();
    }

    /** Records that the prompt has been processed (for {@link RunStats}). */
    final void promptDone() {
        promptDoneNanos = System.nanoTime();
    }

    /** What the engine measured for this sequence, now that it ends. */
    final RunStats stats(int promptTokens, int generatedTokens) {
        long now = System.nanoTime();
        long admitted = admittedNanos == 0 ? now : admittedNanos;
        long promptDone = promptDoneNanos == 0 ? now : promptDoneNanos;
        return new RunStats(promptTokens, generatedTokens, Duration.ofNanos(admitted - submittedNanos),
                Duration.ofNanos(Math.max(0, promptDone - admitted)), Duration.ofNanos(Math.max(0, now - promptDone)));
    }

    abstract CompletableFuture<?> future();

    /** True while a decode token (rather than a prompt chunk) is due: served first each step. */
    abstract boolean decoding();

    /** Adds this step's segments using at most {@code budget} tokens (force: may exceed it); returns tokens used. */
    abstract int plan(int budget, boolean force, List<Segment> out);

    /** Consumes the outputs of the segments it planned, in order. */
    abstract void consume(List<Segment> segments, float[][] logits);

    /** Called once when the sequence leaves the batch, for whatever reason. */
    void released() {
    }

    /** Ends the sequence because its deadline passed. */
    abstract void deadlineExceeded();

    final boolean done() {
        return future().isDone();
    }

    final void fail(Throwable error) {
        future().completeExceptionally(error);
    }
}

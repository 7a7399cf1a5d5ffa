package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.BatchedForward.Segment;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One request's progress through the scheduler; all methods run on the scheduler thread. */
abstract class Sequence {

    final Instant deadline;
    final long reservedTokens;

    Sequence(Instant deadline, long reservedTokens) {
        this.deadline = deadline;
        this.reservedTokens = reservedTokens;
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

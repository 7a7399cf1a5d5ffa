package io.bitnetstreams.loadtest.measure;

/** How a request of a load run ended. */
public enum Outcome {
    /** A final result with status DONE. */
    DONE,
    /** A final result with some chunks unanswered. */
    PARTIAL,
    /** A final result with status FAILED. */
    FAILED,
    /** A dead letter instead of a result. */
    DEAD_LETTER,
    /** Nothing came back before the run gave up waiting. */
    MISSING,
    /** The producer could not send it (not counted as sent). */
    NOT_SENT;

    /** True for outcomes that are a final result record (they have an end-to-end latency). */
    public boolean isResult() {
        return this == DONE || this == PARTIAL || this == FAILED;
    }
}

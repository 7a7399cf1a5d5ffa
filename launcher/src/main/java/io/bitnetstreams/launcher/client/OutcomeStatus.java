package io.bitnetstreams.launcher.client;

/** How a request ended in this run; TIMED_OUT means it had not ended when the run gave up waiting. */
public enum OutcomeStatus {
    DONE, PARTIAL, FAILED, DEAD_LETTER, TIMED_OUT;

    /** True for the statuses that mean the pipeline produced a final result record. */
    public boolean isResult() {
        return this == DONE || this == PARTIAL || this == FAILED;
    }
}

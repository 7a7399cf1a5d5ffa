package io.bitnetstreams.engine.tasks;

/** Why the engine did not serve a request; {@link #reason()} says which case applies. */
public final class EngineException extends RuntimeException {

    public enum Reason {
        /** The request itself is wrong (empty label set, invalid schema, prompt longer than the context, ...). */
        INVALID_REQUEST,
        /** The request alone needs more KV-cache memory than the whole pool has. */
        TOO_LARGE,
        /** The pool is busy and the waiting queue is full: retry later. */
        QUEUE_FULL,
        /** The request's deadline passed before it finished. */
        DEADLINE_EXCEEDED,
        /** The engine was closed. */
        CLOSED,
        /** An unexpected failure while running the request. */
        INTERNAL
    }

    private final Reason reason;

    public EngineException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public EngineException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

package io.bitnetstreams.worker.executor;

/**
 * A failure worth retrying (resource pressure, a temporarily unavailable dependency). Anything else an
 * executor throws is permanent and the work item gets a FAILED result at once.
 */
public class TransientWorkException extends RuntimeException {

    public TransientWorkException(String message) {
        super(message);
    }

    public TransientWorkException(String message, Throwable cause) {
        super(message, cause);
    }
}

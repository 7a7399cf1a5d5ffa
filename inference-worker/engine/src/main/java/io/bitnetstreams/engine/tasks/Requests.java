package io.bitnetstreams.engine.tasks;

/** Holder for shared request checks. */
final class Requests {

    /** Untrusted text larger than this is rejected before tokenizing. */
    static final int MAX_TEXT_CHARS = RequestLimits.MAX_TEXT_CHARS;

    private Requests() {
    }

    static String text(String value, String what) {
        if (value == null) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, what + " is missing");
        }
        if (value.length() > MAX_TEXT_CHARS) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, what + " has " + value.length()
                    + " characters; the limit is " + MAX_TEXT_CHARS);
        }
        return value;
    }

    static void positive(int value, String what) {
        if (value < 1) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, what + " must be positive: " + value);
        }
    }
}

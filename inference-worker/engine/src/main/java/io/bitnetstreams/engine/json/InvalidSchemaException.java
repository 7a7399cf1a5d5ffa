package io.bitnetstreams.engine.json;

/** A schema that is not valid JSON, uses an unsupported keyword or exceeds a size limit. */
public final class InvalidSchemaException extends IllegalArgumentException {

    public InvalidSchemaException(String message) {
        super(message);
    }

    public InvalidSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}

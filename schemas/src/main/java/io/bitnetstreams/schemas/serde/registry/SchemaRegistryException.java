package io.bitnetstreams.schemas.serde.registry;

import org.apache.kafka.common.KafkaException;

/**
 * A registry request failed. Deliberately not a {@code SerializationException}: a registry problem says
 * nothing about the record, so it must never send a record to the dead-letter topic.
 */
public class SchemaRegistryException extends KafkaException {

    /** Value of {@link #httpStatus()} / {@link #errorCode()} when there was no reply or no code. */
    public static final int NONE = -1;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** HTTP status of the registry's reply, or {@link #NONE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40403 schema not found, 409 incompatible), or {@link #NONE}. */
    public int errorCode() {
        return errorCode;
    }
}

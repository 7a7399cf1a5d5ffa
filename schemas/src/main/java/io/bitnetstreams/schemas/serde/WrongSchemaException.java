package io.bitnetstreams.schemas.serde;

/** The record's writer schema cannot be read as the expected type (or written as the subject's latest schema). */
public final class WrongSchemaException extends SerdeException {

    private final int schemaId;

    public WrongSchemaException(String topic, int schemaId, String message, Throwable cause) {
        super(Reason.WRONG_SCHEMA, topic, message, cause);
        this.schemaId = schemaId;
    }

    /** Id of the offending schema. */
    public int schemaId() {
        return schemaId;
    }
}

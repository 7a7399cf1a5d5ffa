package io.bitnetstreams.schemas.serde;

/** The record's header names a schema id the registry does not know. */
public final class UnknownSchemaIdException extends SerdeException {

    private final int schemaId;

    public UnknownSchemaIdException(String topic, int schemaId, Throwable cause) {
        super(Reason.UNKNOWN_SCHEMA_ID, topic, "schema id " + schemaId + " is not known to the registry", cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}

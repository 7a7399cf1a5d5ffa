package io.bitnetstreams.schemas.serde.registry;

/** HTTP 404: the schema id, subject or version does not exist (error codes 40401, 40402, 40403). */
public class SchemaNotFoundException extends RegistryRequestException {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;

    public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}

package io.bitnetstreams.schemas.serde.registry;

/** HTTP 409: the schema breaks the subject's compatibility rule (BACKWARD by default) and was not registered. */
public class IncompatibleSchemaException extends RegistryRequestException {

    public IncompatibleSchemaException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}

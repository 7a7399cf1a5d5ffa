package io.bitnetstreams.schemas.serde.registry;

/** The registry refused a request with a 4xx status; retrying the same request will not help. */
public class RegistryRequestException extends SchemaRegistryException {

    public RegistryRequestException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode, null);
    }
}

package io.bitnetstreams.schemas.serde.registry;

/** The registry could not be reached, or kept answering 5xx, on every URL through all retries. */
public class RegistryUnavailableException extends SchemaRegistryException {

    public RegistryUnavailableException(String message, int lastHttpStatus, int lastErrorCode, Throwable cause) {
        super(message, lastHttpStatus, lastErrorCode, cause);
    }
}

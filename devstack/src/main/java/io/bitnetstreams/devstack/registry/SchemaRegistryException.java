package io.bitnetstreams.devstack.registry;

/** The schema registry could not be found, unpacked, started or stopped. */
public final class SchemaRegistryException extends RuntimeException {

    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}

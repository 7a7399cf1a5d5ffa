package io.bitnetstreams.schemas.serde.registry;

/** The registry holds the requested id, but as a JSON Schema or Protobuf schema, which this client cannot use. */
public class NonAvroSchemaException extends SchemaRegistryException {

    public NonAvroSchemaException(String message) {
        super(message, NONE, NONE, null);
    }
}

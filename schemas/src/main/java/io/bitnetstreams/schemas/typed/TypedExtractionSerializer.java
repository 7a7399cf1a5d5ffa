package io.bitnetstreams.schemas.typed;

import io.bitnetstreams.schemas.serde.GenericAvroCodec;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.util.Objects;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes typed extraction records ({@link JsonSchemaToAvro}) in the Confluent wire format, registering each record's
 * schema under the subject of its JSON Schema's fingerprint ({@code bitnet.typed-extraction-<fingerprint>}): one
 * topic carries the records of every extraction schema, each schema evolving on its own.
 */
public final class TypedExtractionSerializer implements Serializer<GenericRecord> {

    private static final String NAME_PREFIX = "Extraction_";
    private final SchemaRegistryClient registry;

    /** With a registry client the caller owns and closes. */
    public TypedExtractionSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public byte[] serialize(String topic, GenericRecord record) {
        if (record == null) {
            return null;
        }
        String name = record.getSchema().getName();
        if (!name.startsWith(NAME_PREFIX)) {
            throw new IllegalArgumentException("not a typed extraction record: " + record.getSchema().getFullName());
        }
        String subject = JsonSchemaToAvro.SUBJECT_PREFIX + name.substring(NAME_PREFIX.length());
        int id = registry.register(subject, record.getSchema());
        return GenericAvroCodec.encode(topic, id, record.getSchema(), record);
    }
}

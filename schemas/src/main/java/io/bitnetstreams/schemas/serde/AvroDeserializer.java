package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.compat.CompatibilityCheck;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.NonAvroSchemaException;
import io.bitnetstreams.schemas.serde.registry.SchemaNotFoundException;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for Confluent-wire-format Avro into generated classes, with schema resolution: the writer
 * schema is fetched by id, the reader schema is the generated class's, so an old consumer reads records written
 * with a newer backward-compatible schema (unknown fields skipped, missing ones defaulted).
 *
 * <p>Bad records fail with a {@link SerdeException} (a Kafka {@code SerializationException}) whose
 * {@link SerdeException#reason()} tells MALFORMED, UNKNOWN_SCHEMA_ID or WRONG_SCHEMA; registry outages fail with
 * {@code RegistryUnavailableException}, which is not a SerializationException, so they are never dead-lettered.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    /** What a writer schema id resolves to for our reader type; refusals are remembered too. */
    private sealed interface Resolution {
        record Readable(SpecificDatumReader<?> reader) implements Resolution {}

        record Refused(String message) implements Resolution {}
    }

    private final Class<T> targetType;
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private boolean configured;
    // Bounded by the number of schema ids the registry knows: only answered ids are cached.
    private final Map<Integer, Resolution> resolutions = new ConcurrentHashMap<>();
    // Ids the registry denied knowing, with the System.nanoTime() until which we believe it: a flood of poison
    // records carrying one bogus id must not become a flood of registry requests.
    private final Map<Integer, Long> unknownIdsUntil = new ConcurrentHashMap<>();
    static final long UNKNOWN_ID_MEMORY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    static final int MAX_REMEMBERED_UNKNOWN_IDS = 10_000;

    /** For Kafka's config-driven construction: the class is chosen by the writer schema's full name. */
    public AvroDeserializer() {
        this.targetType = null;
    }

    /** Class chosen by the writer schema's full name; shared registry client, which this deserializer will not close. */
    public AvroDeserializer(SchemaRegistryClient registry) {
        this.targetType = null;
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Reads every record as {@code targetType}, whatever (compatible) schema it was written with. */
    public AvroDeserializer(Class<T> targetType) {
        this.targetType = Objects.requireNonNull(targetType, "targetType");
    }

    /** As {@link #AvroDeserializer(Class)} with a shared registry client, which this deserializer will not close. */
    public AvroDeserializer(Class<T> targetType, SchemaRegistryClient registry) {
        this.targetType = Objects.requireNonNull(targetType, "targetType");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeConfig config = SerdeConfig.parse(configs);
        if (registry == null) {
            registry = new HttpSchemaRegistryClient(config.registry());
            ownsRegistry = true;
        }
        configured = true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (!configured && registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        int schemaId = WireFormat.schemaId(topic, data);
        Resolution resolution = resolutions.get(schemaId);
        if (resolution == null) {
            resolution = resolve(topic, schemaId);
            resolutions.put(schemaId, resolution);
        }
        return switch (resolution) {
            case Resolution.Refused refused -> throw new WrongSchemaException(topic, schemaId, refused.message(), null);
            case Resolution.Readable readable -> (T) decode(topic, schemaId, data, readable.reader());
        };
    }

    private Resolution resolve(String topic, int schemaId) {
        Long knownUnknownUntil = unknownIdsUntil.get(schemaId);
        if (knownUnknownUntil != null && System.nanoTime() - knownUnknownUntil < 0) {
            throw new UnknownSchemaIdException(topic, schemaId, null);
        }
        Schema writer;
        try {
            writer = registry.schemaById(schemaId);
        } catch (SchemaNotFoundException e) {
            // Remembered only briefly: the id may be registered later (e.g. a registry restored from backup).
            if (unknownIdsUntil.size() >= MAX_REMEMBERED_UNKNOWN_IDS) {
                unknownIdsUntil.clear();
            }
            unknownIdsUntil.put(schemaId, System.nanoTime() + UNKNOWN_ID_MEMORY_NANOS);
            throw new UnknownSchemaIdException(topic, schemaId, e);
        } catch (NonAvroSchemaException e) {
            return new Resolution.Refused(e.getMessage());
        }
        Schema reader = readerSchemaFor(writer);
        if (reader == null) {
            return new Resolution.Refused("no generated class for writer schema " + writer.getFullName()
                    + " (id " + schemaId + ") on the classpath");
        }
        List<String> problems = CompatibilityCheck.incompatibilities(reader, writer);
        if (!problems.isEmpty()) {
            return new Resolution.Refused("writer schema id " + schemaId + " (" + writer.getFullName()
                    + ") cannot be read as " + reader.getFullName() + ": " + String.join("; ", problems));
        }
        SpecificData model = SpecificData.getForSchema(reader);
        return new Resolution.Readable(new SpecificDatumReader<>(writer, reader, model));
    }

    private Schema readerSchemaFor(Schema writer) {
        if (targetType != null) {
            return SpecificData.get().getSchema(targetType);
        }
        if (writer.getType() != Schema.Type.RECORD) {
            return null;
        }
        Class<?> generated = SpecificData.get().getClass(writer);
        return generated != null && SpecificRecord.class.isAssignableFrom(generated)
                ? SpecificData.get().getSchema(generated)
                : null;
    }

    private static Object decode(String topic, int schemaId, byte[] data, SpecificDatumReader<?> reader) {
        var decoder = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE);
        Object record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new MalformedRecordException(topic, "Avro body truncated or a length prefix corrupt (" + data.length
                    + " bytes, schema id " + schemaId + "): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // AvroRuntimeException for bad union/enum indexes, our bounds checks, invalid UTF-8, ...
            throw new MalformedRecordException(topic, "corrupt Avro body for schema id " + schemaId + ": " + e, e);
        }
        if (decoder.remaining() != 0) {
            throw new MalformedRecordException(topic, decoder.remaining() + " unread byte(s) after the Avro body"
                    + " (schema id " + schemaId + "): the id does not match the data", null);
        }
        return record;
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}

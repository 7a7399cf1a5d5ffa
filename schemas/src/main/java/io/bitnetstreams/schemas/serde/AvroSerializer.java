package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.compat.CompatibilityCheck;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing generated Avro classes in the Confluent wire format.
 *
 * <p>The schema id comes from the registry: registered on first use ({@code auto.register.schemas=true}, the
 * default), looked up ({@code auto.register.schemas=false}), or the subject's latest version
 * ({@code use.latest.version=true}; the record is then converted to that schema by Avro schema resolution,
 * so an older producer writes the newest format with defaults filled in).
 *
 * <p>Throws {@link RecordEncodingException} / {@link WrongSchemaException} for bad records and lets registry
 * exceptions ({@code IncompatibleSchemaException}, {@code RegistryUnavailableException}) through unchanged.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private record LatestTarget(int id, Schema schema) {}

    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private SerdeConfig config;
    private boolean isKey;
    private final Map<String, LatestTarget> latestBySubject = new ConcurrentHashMap<>();
    // One writer per schema (a handful of generated classes); writers are thread-safe.
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

    /** For Kafka's config-driven construction: call {@link #configure} before use. */
    public AvroSerializer() {}

    /** Uses a shared registry client, which this serializer will not close. */
    public AvroSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = SerdeConfig.parse(configs);
        this.isKey = isKey;
        if (registry == null) {
            registry = new HttpSchemaRegistryClient(config.registry());
            ownsRegistry = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
        Schema schema = record.getSchema();
        String subject = config.subjectNameStrategy(isKey).subjectName(topic, isKey, schema);
        if (config.useLatestVersion()) {
            return serializeAsLatest(topic, subject, record);
        }
        int id = config.autoRegisterSchemas() ? registry.register(subject, schema) : registry.lookupId(subject, schema);
        return encode(topic, id, record, writerFor(schema));
    }

    private SpecificDatumWriter<T> writerFor(Schema schema) {
        return writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)));
    }

    private byte[] serializeAsLatest(String topic, String subject, T record) {
        Schema own = record.getSchema();
        LatestTarget latest = latestBySubject.computeIfAbsent(subject, this::fetchLatest);
        if (latest.schema().equals(own)) {
            return encode(topic, latest.id(), record, writerFor(own));
        }
        List<String> problems = CompatibilityCheck.incompatibilities(latest.schema(), own);
        if (!problems.isEmpty()) {
            throw new WrongSchemaException(topic, latest.id(), "use.latest.version: latest schema (id " + latest.id()
                    + ") of subject '" + subject + "' cannot represent a " + own.getFullName() + ": " + problems, null);
        }
        // Re-read our own encoding as the latest schema: Avro resolution fills new fields with their defaults.
        byte[] ownBody = encode(topic, 0, record, writerFor(own));
        try {
            var decoder = DecoderFactory.get().binaryDecoder(ownBody, WireFormat.HEADER_SIZE,
                    ownBody.length - WireFormat.HEADER_SIZE, null);
            GenericRecord converted = new GenericDatumReader<GenericRecord>(own, latest.schema(), GenericData.get())
                    .read(null, decoder);
            return encode(topic, latest.id(), converted, new GenericDatumWriter<>(latest.schema(), GenericData.get()));
        } catch (IOException | RuntimeException e) {
            throw new WrongSchemaException(topic, latest.id(), "could not convert " + own.getFullName()
                    + " to the latest schema of subject '" + subject + "': " + e.getMessage(), e);
        }
    }

    private LatestTarget fetchLatest(String subject) {
        var latest = registry.latestVersion(subject);
        return new LatestTarget(latest.id(), latest.schema());
    }

    private static <R> byte[] encode(String topic, int schemaId, R record, org.apache.avro.io.DatumWriter<R> writer) {
        var out = new ByteArrayOutputStream(256);
        WireFormat.writeHeader(out, schemaId);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // NullPointerException for a null required field, ClassCastException for a wrong value type, ...
            throw new RecordEncodingException(topic, "cannot encode " + record.getClass().getSimpleName() + ": " + e, e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}

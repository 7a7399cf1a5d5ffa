package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializer + deserializer for one generated type, sharing one registry client; usable wherever Kafka Streams
 * takes a {@link Serde}. Typical use:
 * <pre>{@code
 * Serde<WorkItem> workItems = AvroSerde.of(WorkItem.class, Map.of("schema.registry.url", url), false);
 * }</pre>
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type; // null: each record's class is chosen by its writer schema's name
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private AvroSerializer<T> serializer;
    private AvroDeserializer<T> deserializer;

    /**
     * For config-driven use ({@code default.value.serde}): any generated type, the class of each record chosen
     * by its writer schema's full name. Call {@link #configure} before use.
     */
    public AvroSerde() {
        this.type = null;
    }

    /** Any generated type (as {@link #AvroSerde()}) with a shared registry client, which this serde will not close. */
    public AvroSerde(SchemaRegistryClient registry) {
        this.type = null;
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Call {@link #configure} before use; the registry client is created from the configs. */
    public AvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** Uses a shared registry client, which this serde will not close; still call {@link #configure}. */
    public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
        this(type);
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A configured serde for keys ({@code isKey}) or values of {@code type}. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
        var serde = new AvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = new HttpSchemaRegistryClient(SerdeConfig.parse(configs).registry());
            ownsRegistry = true;
        }
        serializer = new AvroSerializer<>(registry);
        serializer.configure(configs, isKey);
        deserializer = type == null ? new AvroDeserializer<>(registry) : new AvroDeserializer<>(type, registry);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return requireConfigured(serializer);
    }

    @Override
    public Deserializer<T> deserializer() {
        return requireConfigured(deserializer);
    }

    private <S> S requireConfigured(S part) {
        if (part == null) {
            throw new IllegalStateException("AvroSerde used before configure()");
        }
        return part;
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}

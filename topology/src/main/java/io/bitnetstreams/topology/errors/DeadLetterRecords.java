package io.bitnetstreams.topology.errors;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.schemas.serde.SerdeException;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.processors.Provenance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * What the three Kafka Streams exception handlers share: the dead-letter topic and a DeadLetter serializer, both
 * read from the Streams configuration ({@value #DEAD_LETTER_TOPIC_CONFIG} and the {@code schema.registry.*} keys).
 */
public final class DeadLetterRecords implements AutoCloseable {

    /** Streams config key naming the dead-letter topic for the handlers. */
    static final String DEAD_LETTER_TOPIC_CONFIG = "bitnet.topic.dlq";
    static final String STAGE = "topology.exception-handler";
    /**
     * Optional Streams config entry holding a {@code SchemaRegistryClient} object to share instead of creating an
     * HTTP client from {@code schema.registry.url} (embedding, tests).
     */
    public static final String REGISTRY_CLIENT_CONFIG = "bitnet.schema.registry.client";
    /**
     * Optional Streams config entry holding the application's {@code TopologyMetrics} object, so dead letters the
     * handlers raise are counted with the topology's own (handlers are created by Kafka Streams from class names).
     */
    public static final String METRICS_CONFIG = "bitnet.topology.metrics";

    private final String topic;
    private final AvroSerializer<DeadLetter> serializer;
    private final TopologyMetrics metrics;
    private final int maxOriginalValueBytes;

    public DeadLetterRecords(Map<String, ?> configs) {
        Object topic = configs.get(DEAD_LETTER_TOPIC_CONFIG);
        if (topic == null || topic.toString().isBlank()) {
            throw new ConfigException(DEAD_LETTER_TOPIC_CONFIG + " must name the dead-letter topic");
        }
        this.topic = topic.toString();
        this.serializer = configs.get(REGISTRY_CLIENT_CONFIG) instanceof SchemaRegistryClient shared
                ? new AvroSerializer<>(shared)
                : new AvroSerializer<>();
        serializer.configure(configs, false);
        this.metrics = configs.get(METRICS_CONFIG) instanceof TopologyMetrics shared ? shared : null;
        this.maxOriginalValueBytes = DeadLetters.maxOriginalValueBytes(configs);
    }

    /** For tests: a given topic and (configured) serializer. */
    DeadLetterRecords(String topic, AvroSerializer<DeadLetter> serializer, TopologyMetrics metrics) {
        this.topic = topic;
        this.serializer = serializer;
        this.metrics = metrics;
        this.maxOriginalValueBytes = DeadLetters.MAX_ORIGINAL_VALUE_BYTES;
    }

    /** The dead letter of the source record the context describes, as a record for the dead-letter topic. */
    List<ProducerRecord<byte[], byte[]>> of(ErrorHandlerContext context, DeadLetterReason reason, Exception exception) {
        String message = exception.getClass().getSimpleName() + ": " + exception.getMessage()
                + " (processor " + context.processorNodeId() + ", task " + context.taskId() + ")";
        byte[] rawKey = context.sourceRawKey();
        Provenance source = Provenance.of(context.headers(), context.topic(), context.partition(), context.offset());
        DeadLetter letter = DeadLetters.of(reason, message, rawKey, context.sourceRawValue(),
                new DeadLetters.Source(source.topic(), source.partition(), source.offset()), STAGE,
                rawKey == null ? null : new String(rawKey, StandardCharsets.UTF_8), System.currentTimeMillis(),
                maxOriginalValueBytes);
        var deadLetter = new ProducerRecord<>(topic, null, rawKey, serializer.serialize(topic, letter));
        if (metrics != null) {
            metrics.deadLetter(reason);
        }
        return List.of(deadLetter);
    }

    /** The reason a serde exception carries, else {@code fallback}. */
    static DeadLetterReason reasonOf(Exception exception, DeadLetterReason fallback) {
        return exception instanceof SerdeException serde ? serde.deadLetterReason() : fallback;
    }

    /** Registry outages must fail (and be retried), never dead-letter good records. */
    static boolean isRegistryOutage(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        serializer.close();
    }
}

package io.bitnetstreams.topology.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import io.bitnetstreams.topology.InMemorySchemaRegistry;
import io.bitnetstreams.topology.TopologyMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class ExceptionHandlersTest {

    private static final byte[] KEY = "req-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {1, 2, 3};

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final TopologyMetrics metrics = TopologyMetrics.inMemory();
    private final DeadLetterRecords records = records();

    private DeadLetterRecords records() {
        var serializer = new AvroSerializer<DeadLetter>(registry);
        serializer.configure(Map.of("schema.registry.url", "http://unused:1"), false);
        return new DeadLetterRecords("dlq", serializer, metrics);
    }

    @Test
    void processingErrorResumesWithADeadLetterOfTheSourceRecord() {
        var handler = new DeadLetterProcessingHandler();
        handler.configure(records);
        var response = handler.handleError(context(), new Record<>("k", "v", 0L), new IllegalStateException("boom"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        DeadLetter letter = single(response.deadLetterQueueRecords());
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.PROCESSING_ERROR);
        assertThat(letter.getMessage()).contains("boom").contains("chunk-request");
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");
        assertThat(letter.getSourcePartition()).isEqualTo(2);
        assertThat(letter.getSourceOffset()).isEqualTo(41);
        assertThat(letter.getRequestId()).isEqualTo("req-1");
        assertThat(letter.getOriginalValue().array()).isEqualTo(VALUE);
        assertThat(metrics.count("bitnet.topology.dead.letters", "reason", "PROCESSING_ERROR")).isEqualTo(1.0);
    }

    @Test
    void registryOutageFailsInsteadOfDeadLettering() {
        var handler = new DeadLetterProcessingHandler();
        handler.configure(records);
        var outage = new RuntimeException(new RegistryUnavailableException("down", 503, -1, null));
        assertThat(handler.handleError(context(), new Record<>("k", "v", 0L), outage).result())
                .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(metrics.count("bitnet.topology.dead.letters", "reason", "PROCESSING_ERROR")).isZero();
    }

    @Test
    void deserializationErrorResumesWithMalformedRecord() {
        var handler = new DeadLetterDeserializationHandler();
        handler.configure(records);
        var response = handler.handleError(context(), new ConsumerRecord<>("bitnet.requests", 2, 41L, KEY, VALUE),
                new SerializationException("bad"));
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(single(response.deadLetterQueueRecords()).getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(metrics.count("bitnet.topology.dead.letters", "reason", "MALFORMED_RECORD")).isEqualTo(1.0);
    }

    @Test
    void outputSerializationErrorDeadLettersAsProductionError() {
        var handler = new DeadLetterProductionHandler();
        handler.configure(records);
        var response = handler.handleSerializationError(context(), new ProducerRecord<>("out", "k", "v"),
                new SerializationException("cannot encode"), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(single(response.deadLetterQueueRecords()).getReason()).isEqualTo(DeadLetterReason.PRODUCTION_ERROR);

        assertThat(handler.handleError(context(), new ProducerRecord<>("out", KEY, VALUE),
                new RecordTooLargeException("big")).result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(handler.handleError(context(), new ProducerRecord<>("out", KEY, VALUE),
                new IllegalStateException("other")).result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    private DeadLetter single(java.util.List<ProducerRecord<byte[], byte[]>> deadLetters) {
        assertThat(deadLetters).hasSize(1);
        ProducerRecord<byte[], byte[]> record = deadLetters.getFirst();
        assertThat(record.topic()).isEqualTo("dlq");
        assertThat(record.key()).isEqualTo(KEY);
        var deserializer = new AvroDeserializer<>(DeadLetter.class, registry);
        return deserializer.deserialize("dlq", record.value());
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override public String topic() { return "bitnet.requests"; }
            @Override public int partition() { return 2; }
            @Override public long offset() { return 41; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return "chunk-request"; }
            @Override public TaskId taskId() { return new TaskId(0, 2); }
            @Override public long timestamp() { return 0; }
            @Override public byte[] sourceRawKey() { return KEY; }
            @Override public byte[] sourceRawValue() { return VALUE; }
        };
    }
}

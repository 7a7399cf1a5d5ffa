package io.bitnetstreams.launcher.client;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends Avro requests to the requests topic, keyed by request id (idempotent producer, acks=all). */
public final class RequestPublisher implements AutoCloseable {

    private final KafkaProducer<String, InferenceRequest> producer;
    private final String topic;

    public RequestPublisher(Map<String, Object> producerConfig, Map<String, Object> serdeConfig, String topic) {
        Map<String, Object> config = new HashMap<>(producerConfig);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        var serializer = new AvroSerializer<InferenceRequest>();
        serializer.configure(serdeConfig, false);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), serializer);
        this.topic = topic;
    }

    public Future<RecordMetadata> send(InferenceRequest request) {
        return producer.send(new ProducerRecord<>(topic, request.getRequestId(), request));
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}

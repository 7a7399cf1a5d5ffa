package io.bitnetstreams.schemas.it;

import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** Producer/consumer helpers for the serde ITs. */
final class KafkaClients {

    private KafkaClients() {}

    static <V> KafkaProducer<String, V> producer(EmbeddedKafkaCluster kafka, Serializer<V> values) {
        Map<String, Object> config = kafka.producerConfig();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    /** Every record of a one-partition topic, read from the start until {@code expected} records arrived. */
    static <V> List<ConsumerRecord<String, V>> readAll(EmbeddedKafkaCluster kafka, String topic, int expected,
            Deserializer<V> values) {
        var records = new ArrayList<ConsumerRecord<String, V>>();
        try (var consumer = new KafkaConsumer<>(kafka.consumerConfig("it-" + topic + "-" + System.nanoTime()),
                new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    static List<ConsumerRecord<String, byte[]>> readAllBytes(EmbeddedKafkaCluster kafka, String topic, int expected) {
        return readAll(kafka, topic, expected, new ByteArrayDeserializer());
    }
}

package io.bitnetstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.devstack.junit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** One combined node shared by the tests of this class, handed in by {@link WithKafka}. */
@WithKafka
class EmbeddedKafkaClusterIT {

    static EmbeddedKafkaCluster injectedIntoStaticField;

    @Test
    void producedRecordsAreConsumedInOrder(EmbeddedKafkaCluster kafka) throws Exception {
        kafka.createTopic("plain-strings", 1);
        try (var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("plain-strings", "key-" + i, "value-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        List<String> values = consume(kafka, kafka.consumerConfig("plain-reader"), "plain-strings", 5);
        assertThat(values).containsExactly("value-0", "value-1", "value-2", "value-3", "value-4");
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions(EmbeddedKafkaCluster kafka) {
        kafka.createTopic("transactional", 1);
        try (var producer = new KafkaProducer<>(kafka.transactionalProducerConfig("devstack-it-tx"),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", "k", "committed-1"));
            producer.send(new ProducerRecord<>("transactional", "k", "committed-2"));
            producer.commitTransaction();
        }
        List<String> values = consume(kafka, kafka.readCommittedConsumerConfig("tx-reader"), "transactional", 2);
        assertThat(values).containsExactly("committed-1", "committed-2");
    }

    @Test
    void clusterIsAlsoInjectedIntoStaticFieldsAndIsTheSameInstance(EmbeddedKafkaCluster kafka) {
        assertThat(injectedIntoStaticField).isSameAs(kafka);
        assertThat(kafka.bootstrapServers()).matches("localhost:\\d+");
        assertThat(kafka.brokerIds()).hasSize(1);
    }

    static List<String> consume(EmbeddedKafkaCluster kafka, java.util.Map<String, Object> config,
                                String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
            // A short extra poll shows that nothing unexpected (e.g. aborted records) follows.
            consumer.poll(Duration.ofMillis(300)).forEach(record -> values.add(record.value()));
        }
        return values;
    }
}

package io.bitnetstreams.schemas.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.SampleRecords;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerde;
import io.bitnetstreams.schemas.serde.SerdeFailures;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The registry process is stopped in the middle of production. Its own class: it kills the registry the other
 * ITs use.
 */
@WithKafka
@WithSchemaRegistry
class RegistryOutageIT {

    private static final int ACKNOWLEDGED = 20;

    EmbeddedKafkaCluster kafka;
    SchemaRegistryProcess registry;

    @Test
    void outageIsRetriedThenReportedClearlyAndAcknowledgedRecordsSurvive() throws Exception {
        String topic = "outage";
        kafka.createTopic(topic, 1);
        Map<String, Object> config = Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                SerdeConfig.MAX_RETRIES, 3,
                SerdeConfig.RETRY_BACKOFF_MS, 50,
                SerdeConfig.RETRY_BACKOFF_MAX_MS, 200,
                SerdeConfig.REQUEST_TIMEOUT_MS, 2000);
        var sent = new ArrayList<WorkItem>();

        try (var serde = AvroSerde.of(WorkItem.class, config, false);
                var deadLetters = AvroSerde.of(DeadLetter.class, config, false);
                var producer = KafkaClients.producer(kafka, serde.serializer());
                var deadLetterProducer = KafkaClients.producer(kafka, deadLetters.serializer())) {
            for (int i = 0; i < ACKNOWLEDGED; i++) {
                WorkItem item = WorkItem.newBuilder(SampleRecords.generateWorkItem()).setRequestId("req-" + i).build();
                producer.send(new ProducerRecord<>(topic, item.getRequestId(), item)).get();
                sent.add(item);
            }

            registry.stop();
            assertThat(registry.isRunning()).isFalse();

            // A schema the serializer has not registered yet needs the registry: retried, then a clear error.
            assertThatThrownBy(() -> deadLetterProducer.send(
                    new ProducerRecord<>(topic + "-dlq", "k", SampleRecords.deadLetter())))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .isNotInstanceOf(SerializationException.class)
                    .hasMessageContaining("Schema registry unavailable")
                    .hasMessageContaining("after 4 attempt(s)")
                    .hasMessageContaining(registry.url());

            // The schema id already known to the serializer is cached: production of WorkItems goes on.
            WorkItem duringOutage = WorkItem.newBuilder(SampleRecords.generateWorkItem()).setRequestId("req-outage").build();
            producer.send(new ProducerRecord<>(topic, duringOutage.getRequestId(), duringOutage)).get();
            sent.add(duringOutage);

            // Every acknowledged record is on the topic, intact (decoded with the ids cached before the outage).
            var read = KafkaClients.readAll(kafka, topic, sent.size(), serde.deserializer());
            assertThat(read).extracting(r -> r.value()).containsExactlyElementsOf(sent);
        }

        // A consumer that never saw the schema cannot decode during the outage, and says it is the registry,
        // not the record (so such records are retried later, never dead-lettered).
        var raw = KafkaClients.readAllBytes(kafka, topic, sent.size());
        assertThat(raw).hasSize(sent.size());
        try (var fresh = new AvroDeserializer<WorkItem>(WorkItem.class)) {
            fresh.configure(config, false);
            assertThatThrownBy(() -> fresh.deserialize(topic, raw.getFirst().value()))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .isNotInstanceOf(SerializationException.class);
        }
        // Through a real consumer the failure arrives wrapped; SerdeFailures still sees it is the registry.
        try (var fresh = new AvroDeserializer<WorkItem>(WorkItem.class);
                var consumer = new KafkaConsumer<>(kafka.consumerConfig("outage-reader"), new StringDeserializer(), fresh)) {
            fresh.configure(config, false);
            consumer.subscribe(List.of(topic));
            var thrown = new AtomicReference<Throwable>();
            Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    consumer.poll(Duration.ofMillis(200));
                    return false;
                } catch (RuntimeException e) {
                    thrown.set(e);
                    return true;
                }
            });
            assertThat(thrown.get()).isInstanceOf(RecordDeserializationException.class);
            assertThat(SerdeFailures.registryProblem(thrown.get())).get().isInstanceOf(RegistryUnavailableException.class);
            assertThat(SerdeFailures.recordProblem(thrown.get())).isEmpty();
        }
    }
}

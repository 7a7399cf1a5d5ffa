package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The commit interval paces bursts only: with a two-minute {@code commit.interval.ms}, a lone request still crosses
 * every hop of the topology at once (its work item, and its final result once answered), in the direct form and
 * through the repartition topics. Without {@link io.bitnetstreams.topology.processors.CommitPacer} each of those
 * records would wait for the interval, and this test would time out.
 */
@WithKafka
class CommitPacingIT {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    /** Far longer than any hop may take here; far shorter than the interval. */
    private static final Duration AT_ONCE = Duration.ofSeconds(30);
    private static final String INTERVAL_MS = Long.toString(Duration.ofMinutes(2).toMillis());

    @Test
    void aLoneRequestCrossesEveryHopAtOnceWhateverTheCommitInterval(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry)
            throws Exception {
        crossesAtOnce(kafka, registry, true);
        crossesAtOnce(kafka, registry, false);
    }

    private static void crossesAtOnce(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, boolean direct)
            throws Exception {
        String form = direct ? "direct" : "repartitioned";
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.application.id", "pacing-" + form,
                "bitnet.http.port", "0",
                "state.dir", Path.of("target", "it-pacing-" + System.nanoTime()).toAbsolutePath().toString(),
                "commit.interval.ms", INTERVAL_MS,
                // Streams refuses an interval longer than the transaction timeout (10 s under exactly-once)
                "producer.transaction.timeout.ms", Long.toString(Duration.ofMinutes(3).toMillis()),
                TopologyConfig.DIRECT_INPUTS, Boolean.toString(direct)));
        // inputs of its own: a record read within the interval (the other form's, read again at start) would rightly
        // count as "busy", and the next record then waits for the interval
        settings.put(TopicNames.REQUESTS, "pacing-requests-" + form);
        settings.put(TopicNames.WORK_RESULTS, "pacing-work-results-" + form);
        TopologyConfig config = TopologyConfig.fromMap(settings);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
        String id = "lone-" + form;
        try (TopologyApp ignored = TopologyApp.start(config, Fixture.BYTE_TOKENIZER);
             var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            var request = InferenceRequest.newBuilder().setRequestId(id).setTenant("it").setCreatedAt(Instant.now())
                    .setTask(Fixture.classify("yes", "no")).setText("one short document").build();
            send(producer, config.topics().requests(), id, request, serdeConfig);

            WorkItem item = awaitRecord(kafka, config.topics().workClassify(), id, WorkItem.class, serdeConfig,
                    WorkItem::getRequestId, form + ": the work item");
            WorkResult answer = Fixture.result(item, WorkStatus.OK, Fixture.probabilities(Map.of("yes", 0.8, "no", 0.2)))
                    .setCompletedAt(Instant.now()).build();
            send(producer, config.topics().workResults(), id, answer, serdeConfig);

            ClassificationResult result = awaitRecord(kafka, config.topics().classificationResults(), id,
                    ClassificationResult.class, serdeConfig, ClassificationResult::getRequestId, form + ": the final result");
            assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
            assertThat(result.getOutput().getArgmax()).isEqualTo("yes");
        }
    }

    private static <T extends SpecificRecord> void send(KafkaProducer<String, byte[]> producer, String topic, String key,
            T value, Map<String, Object> serdeConfig) throws Exception {
        var serializer = new AvroSerializer<T>();
        serializer.configure(serdeConfig, false);
        producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, value))).get();
    }

    /** The record of request {@code id} on {@code topic} as a read_committed consumer sees it, within {@link #AT_ONCE}. */
    private static <T extends SpecificRecord> T awaitRecord(EmbeddedKafkaCluster kafka, String topic, String id,
            Class<T> type, Map<String, Object> serdeConfig, Function<T, CharSequence> requestId, String what) {
        var deserializer = new AvroDeserializer<>(type);
        deserializer.configure(serdeConfig, false);
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("pacing-reader-" + System.nanoTime()));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long deadline = System.nanoTime() + AT_ONCE.toNanos();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    T value = deserializer.deserialize(topic, record.value());
                    if (id.contentEquals(requestId.apply(value))) {
                        return value;
                    }
                }
            }
        }
        throw new AssertionError(what + " of " + id + " was not committed within " + AT_ONCE
                + " (the commit interval is " + INTERVAL_MS + " ms)");
    }
}

package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: one record just under the broker's limit on {@code bitnet.requests} used to stop the topology for good (its
 * dead letter copied the whole value, exceeded {@code max.request.size}, the exactly-once transaction failed, and the
 * replaced stream thread died on the same record again). Now its dead letter keeps a prefix, the size and a hash,
 * and the requests behind it are processed.
 */
@WithKafka
class OversizedRecordIT {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    /** The size the issue reports; fits the broker's default message.max.bytes (1,048,588) with its key. */
    static final int RECORD_BYTES = 1_048_400;

    @Test
    void aRecordJustUnderTheBrokerLimitIsDeadLetteredCappedAndTheTopologyKeepsGoing(EmbeddedKafkaCluster kafka,
            SchemaRegistryProcess registry) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.topics.partitions", "1",
                "state.dir", Path.of("target", "it-state-big-" + System.nanoTime()).toAbsolutePath().toString(),
                "commit.interval.ms", "100"));
        TopologyConfig config = TopologyConfig.fromMap(settings);
        Map<String, Object> serde = Map.of("schema.registry.url", registry.url());

        byte[] malformed = new byte[RECORD_BYTES];
        new Random(15).nextBytes(malformed);
        malformed[0] = 7; // not the wire format's magic byte
        byte[] tooLongText = encodeRequestOfSize(serde, config, "big-text");
        assertThat(tooLongText).hasSize(RECORD_BYTES);
        byte[] small = encode(serde, config, request("small-1", "I was charged twice"));

        try (TopologyApp app = TopologyApp.start(config, Fixture.BYTE_TOKENIZER)) {
            Map<String, Object> producerConfig = new HashMap<>(kafka.producerConfig());
            producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * RECORD_BYTES);
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(config.topics().requests(), "big-malformed", malformed)).get();
                producer.send(new ProducerRecord<>(config.topics().requests(), "big-text", tooLongText)).get();
                producer.send(new ProducerRecord<>(config.topics().requests(), "small-1", small)).get();
            }

            Map<String, DeadLetter> deadLetters = new ConcurrentHashMap<>();
            Map<String, Integer> deadLetterBytes = new ConcurrentHashMap<>();
            Map<String, WorkItem> work = new ConcurrentHashMap<>();
            try (var deserializer = new AvroDeserializer<org.apache.avro.specific.SpecificRecord>(); var consumer = new KafkaConsumer<>(consumerConfig(kafka),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                deserializer.configure(serde, false);
                consumer.subscribe(List.of(config.topics().deadLetters(), config.topics().workClassify()));
                await().atMost(Duration.ofMinutes(2)).until(() -> {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        Object value = deserializer.deserialize(record.topic(), record.value());
                        if (value instanceof DeadLetter letter) {
                            // malformed records have no request id: name them by their original key
                            String key = java.nio.charset.StandardCharsets.UTF_8.decode(
                                    letter.getOriginalKey().duplicate()).toString();
                            deadLetters.put(key, letter);
                            deadLetterBytes.put(key, record.serializedValueSize());
                        } else if (value instanceof WorkItem item) {
                            work.put(item.getRequestId(), item);
                        }
                    }
                    return deadLetters.size() == 2 && work.containsKey("small-1");
                });
            }

            assertCapped(deadLetters.get("big-malformed"), malformed, DeadLetterReason.INVALID_REQUEST);
            assertCapped(deadLetters.get("big-text"), tooLongText, DeadLetterReason.INVALID_REQUEST);
            assertThat(deadLetters.values()).allSatisfy(letter -> assertThat(letter.getMessage().toString())
                    .contains("exceeds the limit of " + (1_048_576 - DeadLetters.RESERVED_BYTES) + " bytes"));
            assertThat(deadLetterBytes.values()).allSatisfy(size -> assertThat(size)
                    .isLessThan(DeadLetters.MAX_ORIGINAL_VALUE_BYTES + 32 * 1024));
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.streams().metadataForLocalThreads()).as("no stream thread was replaced")
                    .allSatisfy(thread -> assertThat(thread.threadName()).endsWith("StreamThread-1"));
            var http = HttpClient.newHttpClient();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }

    private static void assertCapped(DeadLetter letter, byte[] original, DeadLetterReason reason) {
        assertThat(letter).isNotNull();
        assertThat(letter.getReason()).isEqualTo(reason);
        assertThat(letter.getOriginalTruncated()).isTrue();
        assertThat(letter.getOriginalValueSize()).isEqualTo(original.length);
        assertThat(letter.getOriginalValueSha256()).isEqualTo(DeadLetters.sha256(original));
        ByteBuffer kept = letter.getOriginalValue();
        byte[] prefix = new byte[kept.remaining()];
        kept.get(prefix);
        assertThat(prefix).hasSize(DeadLetters.MAX_ORIGINAL_VALUE_BYTES)
                .isEqualTo(Arrays.copyOf(original, prefix.length));
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");
        assertThat(letter.getSourceOffset()).isGreaterThanOrEqualTo(0);
    }

    private static Map<String, Object> consumerConfig(EmbeddedKafkaCluster kafka) {
        Map<String, Object> config = new HashMap<>(kafka.readCommittedConsumerConfig("oversized-it"));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * RECORD_BYTES);
        return config;
    }

    private static InferenceRequest request(String id, String text) {
        return InferenceRequest.newBuilder().setRequestId(id).setTenant("acme").setCreatedAt(Instant.now())
                .setTask(ClassifyTask.newBuilder().setLabels(List.of("billing", "shipping")).build())
                .setText(text).build();
    }

    /** A well-formed request whose text makes the encoded record exactly {@link #RECORD_BYTES} long. */
    private static byte[] encodeRequestOfSize(Map<String, Object> serde, TopologyConfig config, String id) {
        int textLength = RECORD_BYTES - encode(serde, config, request(id, "")).length - 3; // 3 more varint bytes
        byte[] encoded = encode(serde, config, request(id, "x".repeat(textLength)));
        return encoded.length == RECORD_BYTES ? encoded
                : encode(serde, config, request(id, "x".repeat(textLength + RECORD_BYTES - encoded.length)));
    }

    private static byte[] encode(Map<String, Object> serde, TopologyConfig config, InferenceRequest request) {
        try (var serializer = new AvroSerializer<InferenceRequest>()) {
            serializer.configure(serde, false);
            return serializer.serialize(config.topics().requests(), request);
        }
    }
}

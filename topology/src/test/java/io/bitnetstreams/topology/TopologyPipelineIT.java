package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * 1,000 mixed requests through the real application on an in-JVM KRaft broker and a real Apicurio registry, with a
 * test worker answering the work items: every request must end exactly once in the right place.
 */
@WithKafka
class TopologyPipelineIT {

    /** The registry with a generous start-up bound: on a loaded shared machine Quarkus can take over a minute. */
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    private static final int VALID = 600;
    private static final int LONG_EVERY = 4; // every 4th valid classify/extract is a long document
    private static final int DUPLICATES = 150;
    private static final int MALFORMED = 100;
    private static final int INVALID = 150;

    @Test
    void everyRequestEndsExactlyOnceInTheRightPlace(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry)
            throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.chunk.tokens", "128",
                "bitnet.chunk.overlap", "16",
                "bitnet.context.tokens", "2048",
                "state.dir", Path.of("target", "it-state-" + System.nanoTime()).toAbsolutePath().toString(),
                "commit.interval.ms", "100"));
        settings.put("bitnet.reassembly.timeout", "2m");
        TopologyConfig config = TopologyConfig.fromMap(settings);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());

        var expected = new Expected();
        List<ProducerRecord<String, byte[]>> records = requests(config, serdeConfig, expected);
        assertThat(records).hasSize(VALID + DUPLICATES + MALFORMED + INVALID);

        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, String> secondSettings = new HashMap<>(settings);
        secondSettings.put("state.dir", Path.of("target", "it-state-b-" + System.nanoTime()).toAbsolutePath().toString());
        TopologyConfig secondConfig = TopologyConfig.fromMap(secondSettings);
        // two instances share the partitions: status queries must reach the owner whichever instance is asked
        try (TopologyApp app = TopologyApp.start(config, Fixture.BYTE_TOKENIZER);
             TopologyApp second = TopologyApp.start(secondConfig, Fixture.BYTE_TOKENIZER)) {
            Thread worker = Thread.ofVirtual().name("test-worker").start(() -> runWorker(kafka, config, serdeConfig, running));
            try (var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
                for (var record : records) {
                    producer.send(record);
                }
                producer.flush();
            }

            Outcomes outcomes = collect(kafka, config, serdeConfig, expected);

            assertThat(outcomes.classifications.keySet()).isEqualTo(expected.classify);
            assertThat(outcomes.extractions.keySet()).isEqualTo(expected.extract);
            assertThat(outcomes.generations.keySet()).isEqualTo(expected.generate);
            assertThat(outcomes.duplicateResults).as("no request answered twice").isZero();
            assertThat(outcomes.classifications.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.DONE));
            assertThat(outcomes.extractions.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.DONE));
            assertThat(outcomes.generations.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.DONE));
            long chunked = outcomes.classifications.values().stream().filter(r -> r.getChunksTotal() > 1).count()
                    + outcomes.extractions.values().stream().filter(r -> r.getChunksTotal() > 1).count();
            assertThat(chunked).isEqualTo(expected.longDocuments);
            assertThat(outcomes.classifications.get(expected.longClassifyId).getOutput().getArgmax()).isEqualTo("long");

            assertThat(outcomes.deadLetterReasons).isEqualTo(expected.deadLetterReasons);
            double duplicates = app.meters().get("bitnet.topology.duplicates").counter().count()
                    + second.meters().get("bitnet.topology.duplicates").counter().count();
            assertThat(duplicates).isEqualTo(DUPLICATES);

            var http = HttpClient.newHttpClient();
            List<String> sample = expected.classify.stream().sorted().limit(15).toList();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(sample.stream()
                    .map(id -> app.streams().queryMetadataForKey(BitnetTopology.STATUS_STORE, id,
                            new StringSerializer()).activeHost().port())
                    .collect(java.util.stream.Collectors.toSet()))
                    .as("the sample is spread over both instances, so some queries are forwarded")
                    .containsExactlyInAnyOrder(app.httpPort(), second.httpPort()));
            for (TopologyApp instance : List.of(app, second)) {
                for (String id : sample) {
                    URI uri = URI.create("http://localhost:" + instance.httpPort() + "/requests/" + id);
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        assertThat(response.body()).contains("\"status\":\"DONE\"");
                    });
                }
            }
            var done = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/requests/"
                    + expected.longClassifyId)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(done.body()).contains("\"status\":\"DONE\"");
            var dead = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/requests/"
                    + expected.invalidId)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(dead.body()).contains("\"status\":\"DEAD_LETTERED\"");
            var metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("bitnet_topology_records_in_total").contains("bitnet_topology_dead_letters_total")
                    .contains("kafka_stream");
        } finally {
            running.set(false);
        }
    }

    /** What the inputs should turn into. */
    static final class Expected {
        final Set<String> classify = new HashSet<>();
        final Set<String> extract = new HashSet<>();
        final Set<String> generate = new HashSet<>();
        final Map<DeadLetterReason, Integer> deadLetterReasons = new HashMap<>();
        int longDocuments;
        String longClassifyId;
        String invalidId;

        int results() {
            return classify.size() + extract.size() + generate.size();
        }

        int deadLetters() {
            return deadLetterReasons.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private static List<ProducerRecord<String, byte[]>> requests(TopologyConfig config, Map<String, Object> serdeConfig,
            Expected expected) {
        String topic = config.topics().requests();
        var serializer = new AvroSerializer<InferenceRequest>();
        serializer.configure(serdeConfig, false);
        Random random = new Random(42);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> valid = new ArrayList<>();
        Instant now = Instant.now();
        // a schema the workers' constrained decoder accepts (an array needs "items"): the topology now checks with its parser
        String extractSchema = "{\"type\":\"object\",\"properties\":{\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}";
        for (int i = 0; i < VALID; i++) {
            String id = "valid-" + i;
            boolean isLong = i % LONG_EVERY == 0 && i % 3 != 2;
            String text = isLong ? BitnetTopologyTest.sentences(40 + random.nextInt(40)) : "short document " + i;
            Object task = switch (i % 3) {
                case 0 -> ClassifyTask.newBuilder().setLabels(List.of("short", "long")).build();
                case 1 -> ExtractTask.newBuilder().setJsonSchema(extractSchema).build();
                default -> GenerateTask.newBuilder().setPrompt("Say hello " + i).setMaxTokens(16).build();
            };
            switch (i % 3) {
                case 0 -> expected.classify.add(id);
                case 1 -> expected.extract.add(id);
                default -> expected.generate.add(id);
            }
            if (isLong) {
                expected.longDocuments++;
                if (i % 3 == 0 && expected.longClassifyId == null) {
                    expected.longClassifyId = id;
                }
            }
            var request = InferenceRequest.newBuilder().setRequestId(id).setTenant("it").setCreatedAt(now)
                    .setDeadline(now.plus(Duration.ofMinutes(10))).setTask(task).setText(i % 3 == 2 ? "" : text).build();
            var record = new ProducerRecord<>(topic, id, serializer.serialize(topic, request));
            records.add(record);
            valid.add(record);
        }
        for (int i = 0; i < DUPLICATES; i++) {
            records.add(valid.get(random.nextInt(valid.size())));
        }
        for (int i = 0; i < MALFORMED; i++) {
            byte[] garbage = new byte[5 + random.nextInt(40)];
            random.nextBytes(garbage);
            if (i % 2 == 0) {
                garbage[0] = 7; // not the wire format's magic byte
            } else {
                // right magic byte, but a schema id nobody registered
                java.nio.ByteBuffer.wrap(garbage).put(0, (byte) 0).putInt(1, 1_000_000 + i);
            }
            records.add(new ProducerRecord<>(topic, "malformed-" + i, garbage));
        }
        expected.deadLetterReasons.merge(DeadLetterReason.MALFORMED_RECORD, MALFORMED / 2, Integer::sum);
        expected.deadLetterReasons.merge(DeadLetterReason.UNKNOWN_SCHEMA_ID, MALFORMED / 2, Integer::sum);
        for (int i = 0; i < INVALID; i++) {
            String id = "invalid-" + i;
            var builder = InferenceRequest.newBuilder().setRequestId(id).setTenant("it").setCreatedAt(now)
                    .setText("some text");
            DeadLetterReason reason = DeadLetterReason.INVALID_REQUEST;
            switch (i % 3) {
                case 0 -> builder.setTask(ClassifyTask.newBuilder().setLabels(List.of()).build());
                case 1 -> builder.setTask(ExtractTask.newBuilder().setJsonSchema("[not a schema").build());
                default -> {
                    builder.setTask(ClassifyTask.newBuilder().setLabels(List.of("a")).build())
                            .setDeadline(now.minus(Duration.ofMinutes(1)));
                    reason = DeadLetterReason.DEADLINE_PASSED;
                }
            }
            expected.deadLetterReasons.merge(reason, 1, Integer::sum);
            expected.invalidId = id;
            records.add(new ProducerRecord<>(topic, id, serializer.serialize(topic, builder.build())));
        }
        // interleave so that duplicates, bad and long records are spread over the run (duplicates stay after originals)
        List<ProducerRecord<String, byte[]>> mixed = new ArrayList<>(records.subList(0, VALID));
        for (var extra : records.subList(VALID, records.size())) {
            int firstAllowed = extra.key().startsWith("valid-")
                    ? mixed.indexOf(valid.get(Integer.parseInt(extra.key().substring(6)))) + 1 : 0;
            mixed.add(firstAllowed + random.nextInt(mixed.size() - firstAllowed + 1), extra);
        }
        serializer.close();
        return mixed;
    }

    /** A stand-in inference worker: answers every work item; classification says "long" for chunked documents. */
    private static void runWorker(EmbeddedKafkaCluster kafka, TopologyConfig config, Map<String, Object> serdeConfig,
            AtomicBoolean running) {
        var itemDeserializer = new AvroDeserializer<>(WorkItem.class);
        itemDeserializer.configure(serdeConfig, false);
        var resultSerializer = new AvroSerializer<WorkResult>();
        resultSerializer.configure(serdeConfig, false);
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("it-worker"));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        String resultsTopic = config.topics().workResults();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
             var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(config.topics().workClassify(), config.topics().workExtract(),
                    config.topics().workGenerate()));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    WorkItem item = itemDeserializer.deserialize(record.topic(), record.value());
                    WorkResult result = answer(item);
                    producer.send(new ProducerRecord<>(resultsTopic, item.getRequestId(),
                            resultSerializer.serialize(resultsTopic, result)));
                }
                producer.flush();
            }
        }
    }

    private static WorkResult answer(WorkItem item) {
        Object output = switch (item.getTask()) {
            case ClassifyTask ignored -> {
                double pLong = item.getChunkCount() > 1 ? 0.9 : 0.1;
                yield new ClassificationOutput(Map.of("short", 1 - pLong, "long", pLong),
                        Map.of("short", Math.log(1 - pLong), "long", Math.log(pLong)), pLong > 0.5 ? "long" : "short",
                        List.of(pLong > 0.5 ? "long" : "short"));
            }
            case ExtractTask ignored -> new ExtractionOutput("{\"words\":[\"chunk" + item.getChunkIndex() + "\"]}",
                    ExtractionStatus.COMPLETE);
            default -> new GenerationOutput("hello", FinishReason.STOP);
        };
        return WorkResult.newBuilder().setRequestId(item.getRequestId()).setChunkIndex(item.getChunkIndex())
                .setChunkCount(item.getChunkCount()).setStatus(WorkStatus.OK).setOutput(output)
                .setUsage(new Usage(item.getText().length(), 1)).setTimings(new WorkTimings(0L, 1L, 0L, 0L, 1L))
                .setWorkerId("it-worker").setModelId("it-model").setCompletedAt(Instant.now()).build();
    }

    /** Everything that came out, read with read_committed (what exactly-once promises to consumers). */
    static final class Outcomes {
        final Map<String, ClassificationResult> classifications = new ConcurrentHashMap<>();
        final Map<String, ExtractionResult> extractions = new ConcurrentHashMap<>();
        final Map<String, GenerationResult> generations = new ConcurrentHashMap<>();
        final Map<DeadLetterReason, Integer> deadLetterReasons = new HashMap<>();
        int duplicateResults;
    }

    private static Outcomes collect(EmbeddedKafkaCluster kafka, TopologyConfig config, Map<String, Object> serdeConfig,
            Expected expected) {
        var outcomes = new Outcomes();
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("it-collector"));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var names = config.topics();
        var deserializer = new AvroDeserializer<>();
        deserializer.configure(serdeConfig, false);
        AtomicInteger seen = new AtomicInteger();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(names.classificationResults(), names.extractionResults(),
                    names.generationResults(), names.deadLetters()));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Object value = deserializer.deserialize(record.topic(), record.value());
                    seen.incrementAndGet();
                    boolean fresh = switch (value) {
                        case ClassificationResult r -> outcomes.classifications.put(r.getRequestId(), r) == null;
                        case ExtractionResult r -> outcomes.extractions.put(r.getRequestId(), r) == null;
                        case GenerationResult r -> outcomes.generations.put(r.getRequestId(), r) == null;
                        case DeadLetter letter -> {
                            outcomes.deadLetterReasons.merge(letter.getReason(), 1, Integer::sum);
                            yield true;
                        }
                        default -> throw new AssertionError("unexpected record " + value);
                    };
                    if (!fresh) {
                        outcomes.duplicateResults++;
                    }
                }
                return seen.get() >= expected.results() + expected.deadLetters();
            });
            // nothing more may follow: a few more polls must stay empty
            for (int i = 0; i < 5; i++) {
                var extra = consumer.poll(Duration.ofMillis(200));
                assertThat(extra.isEmpty()).as("records after every request ended: %s", extra.count()).isTrue();
            }
        }
        return outcomes;
    }
}

package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
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
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.processors.RequestIdPartitioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests produced the way librdkafka-based clients (Python, Go, .NET, Node, kcat) partition them, CRC32 of the key,
 * with duplicates sent to yet other partitions, and work results produced round-robin: every request must still end
 * exactly once, duplicates must be recognised across partitions, and the status endpoint must find every request
 * on either of two instances. Input topics have different partition counts on purpose.
 */
@WithKafka
class AnyProducerIT {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    private static final int REQUESTS = 90;
    private static final int DUPLICATES = 30;

    /** librdkafka's default for keyed records ({@code consistent_random}): CRC32 of the key bytes. */
    public static final class Crc32Partitioner implements Partitioner {
        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            var crc = new CRC32();
            crc.update(keyBytes);
            return (int) (crc.getValue() % cluster.partitionCountForTopic(topic));
        }

        @Override public void close() {}
        @Override public void configure(Map<String, ?> configs) {}
    }

    @Test
    void requestsEndExactlyOnceWhateverPartitionTheyWereProducedTo(EmbeddedKafkaCluster kafka,
            SchemaRegistryProcess registry) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.topics.partitions", "4",
                "bitnet.chunk.tokens", "128",
                "bitnet.chunk.overlap", "16",
                "bitnet.context.tokens", "2048",
                "bitnet.reassembly.timeout", "10m",
                "state.dir", Path.of("target", "it-any-a-" + System.nanoTime()).toAbsolutePath().toString(),
                "commit.interval.ms", "100"));
        settings.put("repartition.purge.interval.ms", "1000");
        TopologyConfig config = TopologyConfig.fromMap(settings);
        Map<String, String> secondSettings = new HashMap<>(settings);
        secondSettings.put("state.dir", Path.of("target", "it-any-b-" + System.nanoTime()).toAbsolutePath().toString());
        TopologyConfig secondConfig = TopologyConfig.fromMap(secondSettings);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
        // the inputs are the users' topics: their partition counts need not match each other or the topology's
        kafka.createTopic(config.topics().requests(), 5);
        kafka.createTopic(config.topics().workResults(), 3);

        Set<String> expected = new HashSet<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (TopologyApp app = TopologyApp.start(config, Fixture.BYTE_TOKENIZER);
             TopologyApp second = TopologyApp.start(secondConfig, Fixture.BYTE_TOKENIZER)) {
            Thread worker = Thread.ofVirtual().name("round-robin-worker")
                    .start(() -> runWorker(kafka, config, serdeConfig, running, RoundRobinPartitioner.class,
                            new AtomicInteger(), new AtomicInteger()));
            Set<Integer> requestPartitions = produceRequests(kafka, config, serdeConfig, expected);
            assertThat(requestPartitions).as("requests spread over several partitions").hasSizeGreaterThan(2);

            Map<String, Object> finals = collectFinalResults(kafka, config, serdeConfig, expected.size());
            assertThat(finals.keySet()).isEqualTo(expected);
            assertThat(finals.values()).allSatisfy(result -> assertThat(statusOf(result)).isEqualTo(ResultStatus.DONE));
            double duplicates = app.meters().get("bitnet.topology.duplicates").counter().count()
                    + second.meters().get("bitnet.topology.duplicates").counter().count();
            assertThat(duplicates).as("duplicates recognised although sent to other partitions").isEqualTo(DUPLICATES);
            double late = app.meters().get("bitnet.topology.results.late").counter().count()
                    + second.meters().get("bitnet.topology.results.late").counter().count();
            assertThat(late).as("no answer missed its request").isZero();

            // consumed repartition records are deleted, as Streams does for the repartition topics it manages
            try (var admin = kafka.createAdmin()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (String topic : config.repartitionTopics().all()) {
                        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                                .stream().map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                                .collect(java.util.stream.Collectors.toMap(p -> p,
                                        p -> org.apache.kafka.clients.admin.OffsetSpec.earliest()));
                        long deleted = admin.listOffsets(partitions).all().get().values().stream()
                                .mapToLong(info -> info.offset()).sum();
                        assertThat(deleted).as("records purged from " + topic).isPositive();
                    }
                });
            }

            var http = HttpClient.newHttpClient();
            for (TopologyApp instance : List.of(app, second)) {
                for (String id : expected) {
                    URI uri = URI.create("http://localhost:" + instance.httpPort() + "/requests/" + id);
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).as(id + ": " + response.body()).isEqualTo(200);
                        assertThat(response.body()).contains("\"status\":\"DONE\"");
                    });
                }
            }
        } finally {
            running.set(false);
        }
    }

    /**
     * The direct form: every input has the repartition topics' partition count, so records already on the partition
     * of their request id are processed where they are read and only the others cross a repartition topic. Requests
     * come keyed by id through the Java producer's default partitioner (murmur2: on their partition), to an explicit
     * wrong partition, or round robin; duplicates take the other path than their original; the worker answers half
     * on the right partition and half on a wrong one. Every request must still end exactly once, every duplicate be
     * recognised, and exactly the misplaced records (counted at the producers) be found in the repartition topics.
     */
    @Test
    void directFormTakesRecordsOnTheirPartitionDirectlyAndRepartitionsTheOthers(EmbeddedKafkaCluster kafka,
            SchemaRegistryProcess registry) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.topics.partitions", String.valueOf(DIRECT_PARTITIONS),
                "bitnet.chunk.tokens", "128",
                "bitnet.chunk.overlap", "16",
                "bitnet.context.tokens", "2048",
                "bitnet.reassembly.timeout", "10m",
                "bitnet.application.id", "any-direct",
                "state.dir", Path.of("target", "it-direct-a-" + System.nanoTime()).toAbsolutePath().toString()));
        // keep the repartition topics whole: the test counts what crossed them
        settings.put("repartition.purge.interval.ms", "3600000");
        for (String key : io.bitnetstreams.contract.TopicNames.KEYS) {
            settings.put(key, "direct." + key.substring("bitnet.topic.".length()));
        }
        TopologyConfig config = TopologyConfig.fromMap(settings);
        Map<String, String> secondSettings = new HashMap<>(settings);
        secondSettings.put("state.dir", Path.of("target", "it-direct-b-" + System.nanoTime()).toAbsolutePath().toString());
        TopologyConfig secondConfig = TopologyConfig.fromMap(secondSettings);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());

        Set<String> expected = new HashSet<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger misplacedResults = new AtomicInteger();
        AtomicInteger results = new AtomicInteger();
        try (TopologyApp app = TopologyApp.start(config, Fixture.BYTE_TOKENIZER);
             TopologyApp second = TopologyApp.start(secondConfig, Fixture.BYTE_TOKENIZER)) {
            assertThat(app.form()).isEqualTo(new TopologyForm(DIRECT_PARTITIONS, true, true));
            Thread.ofVirtual().name("half-misplacing-worker").start(() -> runWorker(kafka, config, serdeConfig, running,
                    HalfMisplacingPartitioner.class, misplacedResults, results));
            int misplacedRequests = produceRequestsBothWays(kafka, config, serdeConfig, expected);

            Map<String, Object> finals = collectFinalResults(kafka, config, serdeConfig, expected.size());
            assertThat(finals.keySet()).isEqualTo(expected);
            assertThat(finals.values()).allSatisfy(result -> assertThat(statusOf(result)).isEqualTo(ResultStatus.DONE));
            double duplicates = app.meters().get("bitnet.topology.duplicates").counter().count()
                    + second.meters().get("bitnet.topology.duplicates").counter().count();
            assertThat(duplicates).as("duplicates recognised whichever path each copy took").isEqualTo(DIRECT_DUPLICATES);
            double late = app.meters().get("bitnet.topology.results.late").counter().count()
                    + second.meters().get("bitnet.topology.results.late").counter().count();
            assertThat(late).as("no answer missed its request").isZero();

            // exactly the misplaced records crossed the repartition topics (committed records, exactly once)
            assertThat(misplacedRequests).isPositive().isLessThan(REQUESTS + DIRECT_DUPLICATES);
            assertThat(committedRecords(kafka, config.repartitionTopics().requestsById())).isEqualTo(misplacedRequests);
            running.set(false); // the worker flushes after each batch: its counts settle at once
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(misplacedResults.get()).isPositive().isLessThan(results.get());
                assertThat(committedRecords(kafka, config.repartitionTopics().workResultsById()))
                        .isEqualTo(misplacedResults.get());
            });

            var http = HttpClient.newHttpClient();
            for (TopologyApp instance : List.of(app, second)) {
                for (String id : expected.stream().sorted().limit(20).toList()) {
                    URI uri = URI.create("http://localhost:" + instance.httpPort() + "/requests/" + id);
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).as(id + ": " + response.body()).isEqualTo(200);
                        assertThat(response.body()).contains("\"status\":\"DONE\"");
                    });
                }
            }
        } finally {
            running.set(false);
        }
    }

    private static final int DIRECT_PARTITIONS = 4;
    private static final int DIRECT_DUPLICATES = 40;

    /**
     * A third of the originals keyed by id through the default partitioner, a third to an explicit wrong partition,
     * a third round robin; each duplicate to the right partition if its original was misplaced, else to a wrong one.
     * Returns how many records are not on the partition of their request id.
     */
    private static int produceRequestsBothWays(EmbeddedKafkaCluster kafka, TopologyConfig config,
            Map<String, Object> serdeConfig, Set<String> expected) throws Exception {
        String topic = config.topics().requests();
        var serializer = new AvroSerializer<InferenceRequest>();
        serializer.configure(serdeConfig, false);
        Map<String, Object> roundRobinConfig = new HashMap<>(kafka.producerConfig());
        roundRobinConfig.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName());
        Instant now = Instant.now();
        int misplaced = 0;
        try (var keyed = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new ByteArraySerializer());
             var roundRobin = new KafkaProducer<>(roundRobinConfig, new StringSerializer(), new ByteArraySerializer())) {
            List<ProducerRecord<String, byte[]>> originals = new ArrayList<>();
            List<Integer> placedAt = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String id = "direct-probe-" + i;
                Object task = i % 2 == 0 ? ClassifyTask.newBuilder().setLabels(List.of("short", "long")).build()
                        : GenerateTask.newBuilder().setPrompt("Say hello " + i).setMaxTokens(8).build();
                String text = i % 2 == 1 ? "" : i % 5 == 0 ? BitnetTopologyTest.sentences(40) : "document " + i;
                var request = InferenceRequest.newBuilder().setRequestId(id).setTenant("it").setCreatedAt(now)
                        .setDeadline(now.plus(Duration.ofMinutes(10))).setTask(task).setText(text).build();
                byte[] value = serializer.serialize(topic, request);
                int home = RequestIdPartitioner.partitionOf(id, DIRECT_PARTITIONS);
                int partition = switch (i % 3) {
                    case 0 -> keyed.send(new ProducerRecord<>(topic, id, value)).get().partition();
                    case 1 -> keyed.send(new ProducerRecord<>(topic, (home + 1) % DIRECT_PARTITIONS, id, value)).get()
                            .partition();
                    default -> roundRobin.send(new ProducerRecord<>(topic, id, value)).get().partition();
                };
                if (i % 3 == 0) {
                    assertThat(partition).as("the default partitioner is the topology's rule").isEqualTo(home);
                }
                misplaced += partition == home ? 0 : 1;
                originals.add(new ProducerRecord<>(topic, id, value));
                placedAt.add(partition);
                expected.add(id);
            }
            for (int i = 0; i < DIRECT_DUPLICATES; i++) {
                int index = i * 2 % REQUESTS;
                var original = originals.get(index);
                int home = RequestIdPartitioner.partitionOf(original.key(), DIRECT_PARTITIONS);
                boolean originalDirect = placedAt.get(index) == home;
                int partition = originalDirect ? (home + 1 + i % (DIRECT_PARTITIONS - 1)) % DIRECT_PARTITIONS : home;
                keyed.send(new ProducerRecord<>(topic, partition, original.key(), original.value())).get();
                misplaced += partition == home ? 0 : 1;
            }
        }
        serializer.close();
        return misplaced;
    }

    /** Answers of requests whose id hashes even go to their partition, the others to the next one. */
    public static final class HalfMisplacingPartitioner implements Partitioner {
        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            int count = cluster.partitionCountForTopic(topic);
            int home = RequestIdPartitioner.partitionOf((String) key, count);
            return (key.hashCode() & 1) == 0 ? home : (home + 1) % count;
        }

        @Override public void close() {}
        @Override public void configure(Map<String, ?> configs) {}
    }

    /** Records of {@code topic} visible to a read_committed consumer (transaction markers are not records). */
    private static long committedRecords(EmbeddedKafkaCluster kafka, String topic) {
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("count-" + topic));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long[] count = new long[1];
        try (var consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> count[0]++);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return count[0];
    }

    private static ResultStatus statusOf(Object result) {
        return switch (result) {
            case ClassificationResult r -> r.getStatus();
            case ExtractionResult r -> r.getStatus();
            case GenerationResult r -> r.getStatus();
            default -> throw new AssertionError("unexpected " + result);
        };
    }

    /** Originals through the CRC32 partitioner; each duplicate to a partition its original did not go to. */
    private static Set<Integer> produceRequests(EmbeddedKafkaCluster kafka, TopologyConfig config,
            Map<String, Object> serdeConfig, Set<String> expected) throws Exception {
        String topic = config.topics().requests();
        var serializer = new AvroSerializer<InferenceRequest>();
        serializer.configure(serdeConfig, false);
        Map<String, Object> producerConfig = new HashMap<>(kafka.producerConfig());
        producerConfig.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName());
        Set<Integer> partitions = new HashSet<>();
        Instant now = Instant.now();
        String schema = "{\"type\":\"object\",\"properties\":{\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}";
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
            List<ProducerRecord<String, byte[]>> originals = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String id = "crc-probe-" + i;
                Object task = switch (i % 3) {
                    case 0 -> ClassifyTask.newBuilder().setLabels(List.of("short", "long")).build();
                    case 1 -> ExtractTask.newBuilder().setJsonSchema(schema).build();
                    default -> GenerateTask.newBuilder().setPrompt("Say hello " + i).setMaxTokens(8).build();
                };
                // every fifth classify/extract document is long enough for several chunks
                String text = i % 3 == 2 ? "" : i % 5 == 0 ? BitnetTopologyTest.sentences(40) : "document " + i;
                var request = InferenceRequest.newBuilder().setRequestId(id).setTenant("it").setCreatedAt(now)
                        .setDeadline(now.plus(Duration.ofMinutes(10))).setTask(task).setText(text).build();
                var record = new ProducerRecord<>(topic, id, serializer.serialize(topic, request));
                partitions.add(producer.send(record).get().partition());
                originals.add(record);
                expected.add(id);
            }
            producer.flush();
            int count = kafka.describeTopic(topic).partitions().size();
            for (int i = 0; i < DUPLICATES; i++) {
                var original = originals.get(i * 3 % REQUESTS);
                var crc = new CRC32();
                crc.update(original.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                int elsewhere = (int) ((crc.getValue() + 1 + i % (count - 1)) % count);
                producer.send(new ProducerRecord<>(topic, elsewhere, original.key(), original.value())).get();
            }
        }
        serializer.close();
        return partitions;
    }

    /**
     * A stand-in worker that answers every work item, placing its answers with {@code partitioner}; counts the
     * answers and those not on the partition of their request id.
     */
    private static void runWorker(EmbeddedKafkaCluster kafka, TopologyConfig config, Map<String, Object> serdeConfig,
            AtomicBoolean running, Class<? extends Partitioner> partitioner, AtomicInteger misplaced,
            AtomicInteger answers) {
        var itemDeserializer = new AvroDeserializer<>(WorkItem.class);
        itemDeserializer.configure(serdeConfig, false);
        var resultSerializer = new AvroSerializer<WorkResult>();
        resultSerializer.configure(serdeConfig, false);
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("any-producer-worker"));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Object> producerConfig = new HashMap<>(kafka.producerConfig());
        producerConfig.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
        String resultsTopic = config.topics().workResults();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
             var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(config.topics().workClassify(), config.topics().workExtract(),
                    config.topics().workGenerate()));
            int resultPartitions = producer.partitionsFor(resultsTopic).size();
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    WorkItem item = itemDeserializer.deserialize(record.topic(), record.value());
                    producer.send(new ProducerRecord<>(resultsTopic, item.getRequestId(),
                            resultSerializer.serialize(resultsTopic, answer(item))), (metadata, failure) -> {
                                if (failure == null) {
                                    answers.incrementAndGet();
                                    if (metadata.partition() != RequestIdPartitioner.partitionOf(item.getRequestId(),
                                            resultPartitions)) {
                                        misplaced.incrementAndGet();
                                    }
                                }
                            });
                }
                producer.flush();
            }
        }
    }

    private static WorkResult answer(WorkItem item) {
        Object output = switch (item.getTask()) {
            case ClassifyTask ignored -> new ClassificationOutput(Map.of("short", 0.4, "long", 0.6),
                    Map.of("short", Math.log(0.4), "long", Math.log(0.6)), "long", List.of("long"));
            case ExtractTask ignored -> new ExtractionOutput("{\"words\":[\"w" + item.getChunkIndex() + "\"]}",
                    ExtractionStatus.COMPLETE);
            default -> new GenerationOutput("hello", FinishReason.STOP);
        };
        return WorkResult.newBuilder().setRequestId(item.getRequestId()).setChunkIndex(item.getChunkIndex())
                .setChunkCount(item.getChunkCount()).setStatus(WorkStatus.OK).setOutput(output)
                .setUsage(new Usage(item.getText().length(), 1)).setTimings(new WorkTimings(0L, 1L, 0L, 0L, 1L))
                .setWorkerId("round-robin-worker").setModelId("it-model").setCompletedAt(Instant.now()).build();
    }

    /** Final results by request id, read committed; fails on a second result for any request. */
    private static Map<String, Object> collectFinalResults(EmbeddedKafkaCluster kafka, TopologyConfig config,
            Map<String, Object> serdeConfig, int expected) {
        Map<String, Object> results = new ConcurrentHashMap<>();
        Map<String, Object> consumerConfig = new HashMap<>(kafka.readCommittedConsumerConfig("any-producer-collector"));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var deserializer = new AvroDeserializer<>();
        deserializer.configure(serdeConfig, false);
        var names = config.topics();
        AtomicInteger deadLetters = new AtomicInteger();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(names.classificationResults(), names.extractionResults(),
                    names.generationResults(), names.deadLetters()));
            // the reassembly timeout is 10 minutes: a result only comes in time if the answers met their request
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(names.deadLetters())) {
                        deadLetters.incrementAndGet();
                        continue;
                    }
                    Object value = deserializer.deserialize(record.topic(), record.value());
                    assertThat(results.put(record.key(), value)).as("second result for " + record.key()).isNull();
                }
                return results.size() >= expected;
            });
            for (int i = 0; i < 5; i++) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    throw new AssertionError("record after every request ended: " + record.topic() + " " + record.key());
                }
            }
        }
        assertThat(deadLetters.get()).as("dead letters").isZero();
        return results;
    }
}

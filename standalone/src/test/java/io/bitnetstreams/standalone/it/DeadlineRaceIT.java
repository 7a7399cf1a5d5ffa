package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.config.WorkerConfigLoader;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import io.bitnetstreams.worker.service.WorkerApp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deadlines racing the worker, through the real topology and the real worker service on an in-JVM KRaft broker and
 * the Apicurio registry: one-part requests whose worker answers before its deadline, just before it (inside the
 * clock-skew margin: it must not claim), and after it (the topology's deadline check publishes first). Whoever
 * publishes, every request must end with exactly one final result, and both ways of ending must have happened.
 */
@WithKafka
class DeadlineRaceIT {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    private static final int REQUESTS = 40;
    /**
     * One request every this often, each with its own deadline. Not a burst: 40 requests sent at once reached this
     * worker spread over ~2 s here (the topology's latency defaults commit after every processing round), so most
     * would have lost the race before it started.
     */
    private static final long SEND_EVERY_MS = 100;
    private static final int WARM_UP = 4;
    private static final long DEADLINE_MS = 3_000;
    /** The executor answers each request after a delay drawn from [0, this): a third after the deadline. */
    private static final long MAX_DELAY_MS = 4_500;

    @TempDir
    Path dir;

    @Test
    void everyOnePartRequestEndsExactlyOnceWhoeverPublishesItsFinalResult(EmbeddedKafkaCluster kafka,
            SchemaRegistryProcess registry) throws Exception {
        TopologyConfig topologyConfig = TopologyConfig.fromMap(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.context.tokens", "2048",
                "bitnet.punctuate.interval", "100ms",
                "state.dir", dir.resolve("state").toString()));
        Map<String, Long> delays = new ConcurrentHashMap<>();
        Random random = new Random(17);
        for (int i = 0; i < REQUESTS; i++) {
            delays.put("race-" + i, (long) (random.nextDouble() * MAX_DELAY_MS));
        }
        try (TopologyApp topology = TopologyApp.start(topologyConfig, Llama3Tokenizer.create(Vocabulary.byteLevel(), null));
             WorkerApp worker = WorkerApp.start(workerConfig(kafka, registry), config -> new DelayedExecutor(delays))) {
            // warm up: both parts running with their partitions, before any deadline starts to count
            Map<String, ClassificationResult> results = new HashMap<>();
            AtomicInteger repeated = new AtomicInteger();
            try (var reader = new ResultReader(kafka, registry); var sender = new RequestSender(kafka, registry)) {
                for (int i = 0; i < WARM_UP; i++) {
                    sender.send("warm-" + i, null);
                }
                reader.readUntil(results, repeated, Instant.now().plusSeconds(120), () -> results.size() == WARM_UP);
                results.clear();
                Instant sentAt = Instant.now();
                try (var pacer = Executors.newSingleThreadScheduledExecutor()) {
                    for (int i = 0; i < REQUESTS; i++) {
                        String id = "race-" + i;
                        pacer.schedule(() -> sender.send(id, Duration.ofMillis(DEADLINE_MS)),
                                i * SEND_EVERY_MS, TimeUnit.MILLISECONDS);
                    }
                }
                // every answer is given by the last send + MAX_DELAY_MS; read well past that, so a second result shows
                reader.readUntil(results, repeated,
                        sentAt.plusMillis(REQUESTS * SEND_EVERY_MS + MAX_DELAY_MS).plusSeconds(15), () -> false);
            }

            String story = story(results, worker.scrape());
            assertThat(results).as(story).hasSize(REQUESTS);
            assertThat(repeated.get()).as("requests with a second final result").isZero();
            long done = results.values().stream().filter(r -> r.getStatus() == ResultStatus.DONE).count();
            long failed = results.values().stream().filter(r -> r.getStatus() == ResultStatus.FAILED).count();
            assertThat(done + failed).isEqualTo(REQUESTS);
            assertThat(results.values()).filteredOn(r -> r.getStatus() == ResultStatus.FAILED)
                    .allSatisfy(r -> assertThat(r.getError()).startsWith("deadline passed with 0 of 1"));
            // both ways of ending happened: finals published by the worker, and deadline results after a check
            double byWorker = topology.meters().find("bitnet.topology.final.results.by.worker").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            double checked = topology.meters().find("bitnet.topology.deadline.checks").tag("outcome", "published")
                    .counters().stream().mapToDouble(c -> c.count()).sum();
            byWorker -= WARM_UP; // the warm-up requests (no deadline of their own) were published by the worker too
            assertThat(byWorker).as(story).isGreaterThan(0);
            assertThat(checked).as(story).isEqualTo(failed).isGreaterThan(0);
            assertThat(done).as(story).isGreaterThan((long) byWorker); // some answered inside the margin: the topology published
        }
    }

    /** For failure messages: when each request ended, by whom, and the worker's final-result meters. */
    private static String story(Map<String, ClassificationResult> results, String workerMeters) {
        StringBuilder story = new StringBuilder();
        results.values().stream().sorted(java.util.Comparator.comparing(ClassificationResult::getCompletedAt))
                .forEach(r -> story.append(r.getRequestId()).append(' ').append(r.getStatus()).append(" +")
                        .append(Duration.between(r.getCreatedAt(), r.getCompletedAt()).toMillis()).append("ms, "));
        workerMeters.lines().filter(line -> line.startsWith("bitnet_worker_final") || line.startsWith("bitnet_worker_items")
                || line.startsWith("bitnet_worker_transactions")).forEach(line -> story.append('\n').append(line));
        return story.toString();
    }

    private static WorkerConfig workerConfig(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) {
        return WorkerConfigLoader.fromMap(Map.of(
                "bitnet.model", "delayed-keyword",
                "bitnet.instance.id", "race-worker",
                "bitnet.threads", "1",
                "bitnet.queue.capacity", "200",
                "bitnet.http.port", "-1",
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url()), Map.of());
    }

    /** Sends classification requests, one at a time, each created when sent. */
    private static final class RequestSender implements AutoCloseable {

        private final AvroSerializer<InferenceRequest> serializer = new AvroSerializer<>();
        private final KafkaProducer<String, InferenceRequest> producer;

        RequestSender(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) {
            serializer.configure(Map.of("schema.registry.url", registry.url()), false);
            producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
                    (topic, request) -> serializer.serialize(topic, request));
        }

        /** A request with {@code deadline} from now (null: none). */
        void send(String id, Duration deadline) {
            Instant now = Instant.now();
            InferenceRequest request = InferenceRequest.newBuilder().setRequestId(id).setTenant("acme")
                    .setCreatedAt(now).setDeadline(deadline == null ? null : now.plus(deadline))
                    .setTask(ClassifyTask.newBuilder().setLabels(List.of("billing", "other")).build())
                    .setText("I was charged twice for one order").build();
            producer.send(new ProducerRecord<>(TopicNames.DEFAULTS.requests(), id, request));
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
            serializer.close();
        }
    }

    /** A read_committed reader of the classification results from the start. */
    private static final class ResultReader implements AutoCloseable {

        private final AvroDeserializer<ClassificationResult> deserializer = new AvroDeserializer<>(ClassificationResult.class);
        private final KafkaConsumer<String, byte[]> consumer;

        ResultReader(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) {
            deserializer.configure(Map.of("schema.registry.url", registry.url()), false);
            Map<String, Object> config = new HashMap<>(kafka.consumerConfig("race-reader"));
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(TopicNames.DEFAULTS.classificationResults()));
        }

        /** Reads until {@code until} or until {@code enough}; a request's second result counts in {@code repeated}. */
        void readUntil(Map<String, ClassificationResult> results, AtomicInteger repeated, Instant until,
                java.util.function.BooleanSupplier enough) {
            while (Instant.now().isBefore(until) && !enough.getAsBoolean()) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    ClassificationResult result = deserializer.deserialize(record.topic(), record.headers(), record.value());
                    if (results.putIfAbsent(result.getRequestId(), result) != null) {
                        repeated.incrementAndGet();
                    }
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
            deserializer.close();
        }
    }

    /** Keyword classification that answers each request after its own delay, like inference of varying length. */
    private record DelayedExecutor(Map<String, Long> delays) implements WorkExecutor {

        @Override
        public CompletableFuture<WorkOutcome> submit(WorkItem item) {
            long delay = delays.getOrDefault(item.getRequestId(), 0L);
            return CompletableFuture.supplyAsync(() -> WorkOutcome.ok(
                    KeywordWorkExecutor.classify((ClassifyTask) item.getTask(), item.getText()), 8, 1, 0, delay, 1),
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        }

        @Override
        public int queueCapacity() {
            return 200;
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public int queued() {
            return 0;
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public String modelId() {
            return "delayed-keyword";
        }

        @Override
        public void close() {}
    }
}

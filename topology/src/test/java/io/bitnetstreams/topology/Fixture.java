package io.bitnetstreams.topology;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.errors.DeadLetterProcessingHandler;
import io.bitnetstreams.topology.errors.DeadLetterRecords;
import io.bitnetstreams.contract.results.PendingRequest;
import io.bitnetstreams.topology.state.RequestStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** A TopologyTestDriver around the topology, with the in-memory registry and a byte-level tokenizer. */
final class Fixture implements AutoCloseable {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final Tokenizer BYTE_TOKENIZER = Llama3Tokenizer.create(Vocabulary.byteLevel(), null);

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final TopologyConfig config;
    final Topics topics;
    final TopologyMetrics metrics = TopologyMetrics.inMemory();
    final org.apache.kafka.streams.Topology topology;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> requests;
    final TestInputTopic<String, byte[]> workResults;
    final TestOutputTopic<String, WorkItem> workClassify;
    final TestOutputTopic<String, WorkItem> workExtract;
    final TestOutputTopic<String, WorkItem> workGenerate;
    final TestOutputTopic<String, ClassificationResult> classificationResults;
    final TestOutputTopic<String, ExtractionResult> extractionResults;
    final TestOutputTopic<String, GenerationResult> generationResults;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    /** What the topology writes to the work-results topic itself: deadline checks (the driver also feeds them back). */
    final TestOutputTopic<String, WorkResult> deadlineChecks;

    Fixture() {
        this(Map.of());
    }

    Fixture(Map<String, String> overrides) {
        this(overrides, BYTE_TOKENIZER);
    }

    Fixture(Map<String, String> overrides, Tokenizer tokenizer) {
        this(overrides, tokenizer, TopologyForm.repartitionOnly());
    }

    /**
     * With a direct {@code form} the driver's one task reads partition 0 of every topic: records whose request id
     * belongs to partition 0 of {@code form.partitions()} take the direct path, the others go through the
     * repartition topic, which the driver feeds back into the same task.
     */
    Fixture(Map<String, String> overrides, Tokenizer tokenizer, TopologyForm form) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", "unused:9092",
                "schema.registry.url", "http://unused:8081",
                "bitnet.chunk.tokens", "64",
                "bitnet.chunk.overlap", "8",
                "bitnet.context.tokens", "512",
                "bitnet.request.max.text.chars", "20000",
                "bitnet.dedupe.window", "1h",
                "bitnet.reassembly.timeout", "5m"));
        settings.putAll(overrides);
        config = TopologyConfig.fromMap(settings);
        topics = Topics.create(config.topics(), config.repartitionTopics(), registry, config.serdeConfig());
        var properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("target", "streams-state", UUID.randomUUID().toString())
                .toAbsolutePath().toString());
        // the application's exception handlers, sharing the in-memory registry
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
        properties.put("bitnet.topic.dlq", config.topics().deadLetters());
        properties.put("schema.registry.url", "http://unused:8081");
        properties.put(DeadLetterRecords.REGISTRY_CLIENT_CONFIG, registry);
        topology = BitnetTopology.build(config, topics, tokenizer, metrics, form);
        driver = new TopologyTestDriver(topology, properties, START);
        var strings = Serdes.String();
        requests = driver.createInputTopic(config.topics().requests(), strings.serializer(), Serdes.ByteArray().serializer());
        workResults = driver.createInputTopic(config.topics().workResults(), strings.serializer(), Serdes.ByteArray().serializer());
        workClassify = output(topics.workClassify());
        workExtract = output(topics.workExtract());
        workGenerate = output(topics.workGenerate());
        classificationResults = output(topics.classificationResults());
        extractionResults = output(topics.extractionResults());
        generationResults = output(topics.generationResults());
        deadLetters = output(topics.deadLetters());
        deadlineChecks = output(topics.workResults());
    }

    private <V> TestOutputTopic<String, V> output(TopicSpec<String, V> spec) {
        return driver.createOutputTopic(spec.name(), spec.keySerde().deserializer(), spec.valueSerde().deserializer());
    }

    Instant now() {
        return START.plus(elapsed);
    }

    private Duration elapsed = Duration.ZERO;

    void advance(Duration duration) {
        elapsed = elapsed.plus(duration);
        driver.advanceWallClockTime(duration);
    }

    void send(InferenceRequest request) {
        requests.pipeInput(request.getRequestId(), encode(request), now());
    }

    byte[] encode(InferenceRequest request) {
        return topics.requests().valueSerde().serializer().serialize(topics.requests().name(), request);
    }

    void answer(WorkResult result) {
        workResults.pipeInput(result.getRequestId(),
                topics.workResults().valueSerde().serializer().serialize(topics.workResults().name(), result), now());
    }

    KeyValueStore<String, PendingRequest> pendingStore() {
        return driver.getKeyValueStore(BitnetTopology.PENDING_STORE);
    }

    KeyValueStore<String, RequestStatus> statusStore() {
        return driver.getKeyValueStore(BitnetTopology.STATUS_STORE);
    }

    KeyValueStore<String, Long> dedupeStore() {
        return driver.getKeyValueStore(BitnetTopology.DEDUPE_STORE);
    }

    // --- request and answer builders ---

    InferenceRequest.Builder request(String id, Object task, String text) {
        return InferenceRequest.newBuilder().setRequestId(id).setTenant("acme").setCreatedAt(now()).setTask(task)
                .setText(text).setMetadata(Map.of("source", "test"));
    }

    org.apache.kafka.streams.Topology driverTopology() {
        return topology;
    }

    static ClassifyTask classify(String... labels) {
        return ClassifyTask.newBuilder().setLabels(List.of(labels)).build();
    }

    static ExtractTask extract(String schema) {
        return ExtractTask.newBuilder().setJsonSchema(schema).build();
    }

    static GenerateTask generate(String prompt) {
        return GenerateTask.newBuilder().setPrompt(prompt).setMaxTokens(32).build();
    }

    static WorkResult.Builder result(WorkItem item, WorkStatus status, Object output) {
        return WorkResult.newBuilder().setRequestId(item.getRequestId()).setChunkIndex(item.getChunkIndex())
                .setChunkCount(item.getChunkCount()).setStatus(status).setOutput(output)
                .setError(status == WorkStatus.OK ? null : "worker said no")
                .setUsage(new Usage(item.getText().length(), 1)).setTimings(new WorkTimings(1L, 2L, 0L, 1L, 1L))
                .setWorkerId("w1").setModelId("bitnet-test").setCompletedAt(START);
    }

    static ClassificationOutput probabilities(Map<String, Double> probabilities) {
        String argmax = probabilities.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<String, Double> logs = new HashMap<>();
        probabilities.forEach((label, p) -> logs.put(label, Math.log(p)));
        return new ClassificationOutput(probabilities, logs, argmax, List.of(argmax));
    }

    static ExtractionOutput json(String json) {
        return new ExtractionOutput(json, ExtractionStatus.COMPLETE);
    }

    static GenerationOutput text(String text) {
        return new GenerationOutput(text, FinishReason.STOP);
    }

    @Override
    public void close() {
        driver.close();
    }
}

package io.bitnetstreams.topology;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.processors.ChunkProcessor;
import io.bitnetstreams.topology.processors.ChunkProcessor.WorkSink;
import io.bitnetstreams.topology.processors.DeadLettering;
import io.bitnetstreams.topology.processors.DecodeProcessor;
import io.bitnetstreams.topology.processors.DedupeProcessor;
import io.bitnetstreams.topology.processors.ReassembleProcessor;
import io.bitnetstreams.topology.processors.ReassembleProcessor.ResultSink;
import io.bitnetstreams.topology.processors.ValidateProcessor;
import io.bitnetstreams.topology.state.JsonSerde;
import io.bitnetstreams.topology.state.PendingRequest;
import io.bitnetstreams.topology.state.RequestStatus;
import io.bitnetstreams.contract.TaskKind;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The pipeline's front door as a Kafka Streams topology, built from configuration only:
 * <pre>
 * requests -> decode-request -> dedupe-request -> validate-request -> chunk-request -> work.{classify,extract,generate}
 * work.results -> decode-work-result -> reassemble -> results.{classification,extraction,generation}
 * decode-request, validate-request, decode-work-result -> dead letters
 * </pre>
 * Request, status and pending state are keyed by request id, so requests and work results must be keyed by it
 * and both input topics need the same partition count (the application creates them so).
 */
public final class BitnetTopology {

    public static final String REQUESTS_SOURCE = "requests-source";
    public static final String DECODE_REQUEST = "decode-request";
    public static final String DEDUPE_REQUEST = "dedupe-request";
    public static final String VALIDATE_REQUEST = "validate-request";
    public static final String CHUNK_REQUEST = "chunk-request";
    public static final String WORK_RESULTS_SOURCE = "work-results-source";
    public static final String DECODE_WORK_RESULT = "decode-work-result";
    public static final String REASSEMBLE = "reassemble";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String DEDUPE_STORE = "request-dedupe";
    public static final String PENDING_STORE = "request-pending";
    public static final String STATUS_STORE = "request-status";

    private BitnetTopology() {}

    /** The topology; {@code metrics} only observes, it does not change what the topology does. */
    public static Topology build(TopologyConfig config, Topics topics, Tokenizer tokenizer, TopologyMetrics metrics) {
        var topology = new Topology();
        var deadLettering = new DeadLettering(DEAD_LETTER_SINK, topics.deadLetters().name(), metrics);
        var validator = new RequestValidator(config, tokenizer);
        var chunker = new TextChunker(tokenizer, config.chunkTokens(), config.chunkOverlap());
        var bytes = Serdes.ByteArray().deserializer();

        topology.addSource(REQUESTS_SOURCE, bytes, bytes, topics.requests().name());
        topology.addProcessor(DECODE_REQUEST, () -> new DecodeProcessor<>(topics.requests().valueSerde().deserializer(),
                topics.requests().name(), DEDUPE_REQUEST, "topology.decode-request", deadLettering, metrics), REQUESTS_SOURCE);
        topology.addProcessor(DEDUPE_REQUEST, () -> new DedupeProcessor(DEDUPE_STORE, STATUS_STORE, config.dedupeWindow(),
                cleanupInterval(config), VALIDATE_REQUEST, metrics), DECODE_REQUEST);
        topology.addProcessor(VALIDATE_REQUEST, () -> new ValidateProcessor(validator, STATUS_STORE, CHUNK_REQUEST,
                deadLettering), DEDUPE_REQUEST);
        Map<TaskKind, WorkSink> workSinks = Map.of(
                TaskKind.CLASSIFY, new WorkSink("work-classify-sink", topics.workClassify().name()),
                TaskKind.EXTRACT, new WorkSink("work-extract-sink", topics.workExtract().name()),
                TaskKind.GENERATE, new WorkSink("work-generate-sink", topics.workGenerate().name()));
        topology.addProcessor(CHUNK_REQUEST, () -> new ChunkProcessor(chunker, PENDING_STORE, STATUS_STORE, workSinks,
                config.reassemblyTimeout(), config.dedupeWindow(), metrics), VALIDATE_REQUEST);
        addSink(topology, workSinks.get(TaskKind.CLASSIFY).node(), topics.workClassify(), CHUNK_REQUEST);
        addSink(topology, workSinks.get(TaskKind.EXTRACT).node(), topics.workExtract(), CHUNK_REQUEST);
        addSink(topology, workSinks.get(TaskKind.GENERATE).node(), topics.workGenerate(), CHUNK_REQUEST);

        topology.addSource(WORK_RESULTS_SOURCE, bytes, bytes, topics.workResults().name());
        topology.addProcessor(DECODE_WORK_RESULT, () -> new DecodeProcessor<>(topics.workResults().valueSerde().deserializer(),
                topics.workResults().name(), REASSEMBLE, "topology.decode-work-result", deadLettering, metrics),
                WORK_RESULTS_SOURCE);
        Map<TaskKind, ResultSink> resultSinks = Map.of(
                TaskKind.CLASSIFY, new ResultSink("classification-results-sink", topics.classificationResults().name()),
                TaskKind.EXTRACT, new ResultSink("extraction-results-sink", topics.extractionResults().name()),
                TaskKind.GENERATE, new ResultSink("generation-results-sink", topics.generationResults().name()));
        topology.addProcessor(REASSEMBLE, () -> new ReassembleProcessor(PENDING_STORE, STATUS_STORE, resultSinks,
                config.punctuateInterval(), metrics), DECODE_WORK_RESULT);
        addSink(topology, resultSinks.get(TaskKind.CLASSIFY).node(), topics.classificationResults(), REASSEMBLE);
        addSink(topology, resultSinks.get(TaskKind.EXTRACT).node(), topics.extractionResults(), REASSEMBLE);
        addSink(topology, resultSinks.get(TaskKind.GENERATE).node(), topics.generationResults(), REASSEMBLE);

        addSink(topology, DEAD_LETTER_SINK, topics.deadLetters(), DECODE_REQUEST, VALIDATE_REQUEST, DECODE_WORK_RESULT);

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUPE_STORE),
                Serdes.String(), Serdes.Long()), DEDUPE_REQUEST);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
                Serdes.String(), new JsonSerde<>(PendingRequest.class)), CHUNK_REQUEST, REASSEMBLE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATUS_STORE),
                Serdes.String(), new JsonSerde<>(RequestStatus.class)), DEDUPE_REQUEST, VALIDATE_REQUEST, CHUNK_REQUEST,
                REASSEMBLE);
        return topology;
    }

    /** Forgetting old ids is a full scan: do it about ten times per window, at most once a minute. */
    static Duration cleanupInterval(TopologyConfig config) {
        Duration tenth = config.dedupeWindow().dividedBy(10);
        Duration interval = tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
        return interval.compareTo(config.punctuateInterval()) < 0 ? config.punctuateInterval() : interval;
    }

    @SuppressWarnings("unchecked")
    private static <V> void addSink(Topology topology, String name, TopicSpec<String, V> topic, String... parents) {
        Serializer<Object> values = (Serializer<Object>) topic.valueSerde().serializer();
        topology.addSink(name, topic.name(), topic.keySerde().serializer(), values, parents);
    }
}

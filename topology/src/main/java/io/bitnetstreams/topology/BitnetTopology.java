package io.bitnetstreams.topology;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.typed.TypedExtractionSerializer;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.processors.CommitPacer;
import io.bitnetstreams.topology.processors.ChunkProcessor;
import io.bitnetstreams.topology.processors.ChunkProcessor.WorkSink;
import io.bitnetstreams.topology.processors.DeadLettering;
import io.bitnetstreams.topology.processors.DecodeProcessor;
import io.bitnetstreams.topology.processors.DedupeProcessor;
import io.bitnetstreams.topology.processors.Envelope;
import io.bitnetstreams.topology.processors.ReassembleProcessor;
import io.bitnetstreams.topology.processors.ReassembleProcessor.ResultSink;
import io.bitnetstreams.topology.processors.RepartitionProcessor;
import io.bitnetstreams.topology.processors.RequestIdPartitioner;
import io.bitnetstreams.topology.processors.TypedExtractionProcessor;
import io.bitnetstreams.topology.processors.TypedSchemaProcessor;
import io.bitnetstreams.topology.processors.ValidateProcessor;
import io.bitnetstreams.topology.state.JsonSerde;
import io.bitnetstreams.topology.state.PendingRequestSerde;
import io.bitnetstreams.contract.results.PendingRequest;
import io.bitnetstreams.topology.state.RequestStatus;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The pipeline's front door as a Kafka Streams topology, built from configuration only:
 * <pre>
 * requests -> decode-request -> repartition-request -> requests-by-id -> decode-request-by-id -> dedupe-request
 *          -> validate-request -> chunk-request -> work.{classify,extract,generate}
 * work.results -> decode-work-result -> repartition-work-result -> work-results-by-id -> decode-work-result-by-id
 *          -> reassemble -> results.{classification,extraction,generation}
 *                        -> work.results (deadline checks of requests whose worker may publish the final result)
 * decode-*, validate-request -> dead letters
 * </pre>
 * Dedupe, status and pending state are keyed by request id and partitioned by the topology itself: both inputs go
 * through the topology's own repartition topics, placed by {@link RequestIdPartitioner}, so it does not matter how
 * the producer of a request (any client library) or of a work result partitioned them.
 * <p>
 * In the direct form ({@link TopologyForm}: an input with as many partitions as the repartition topics) the input's
 * source joins the stateful sub-topology: {@code repartition-*} sends a record that is already on the partition of
 * its request id straight on ({@code dedupe-request} or {@code typed-extraction-schemas}, {@code reassemble}) and
 * repartitions only the others, one exactly-once hop less for the common case.
 */
public final class BitnetTopology {

    public static final String REQUESTS_SOURCE = "requests-source";
    public static final String DECODE_REQUEST = "decode-request";
    public static final String REPARTITION_REQUEST = "repartition-request";
    public static final String REQUESTS_BY_ID_SINK = "requests-by-id-sink";
    public static final String REQUESTS_BY_ID_SOURCE = "requests-by-id-source";
    public static final String DECODE_REQUEST_BY_ID = "decode-request-by-id";
    public static final String DEDUPE_REQUEST = "dedupe-request";
    public static final String VALIDATE_REQUEST = "validate-request";
    public static final String CHUNK_REQUEST = "chunk-request";
    public static final String WORK_RESULTS_SOURCE = "work-results-source";
    public static final String DECODE_WORK_RESULT = "decode-work-result";
    public static final String REPARTITION_WORK_RESULT = "repartition-work-result";
    public static final String WORK_RESULTS_BY_ID_SINK = "work-results-by-id-sink";
    public static final String WORK_RESULTS_BY_ID_SOURCE = "work-results-by-id-source";
    public static final String DECODE_WORK_RESULT_BY_ID = "decode-work-result-by-id";
    public static final String REASSEMBLE = "reassemble";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String DEADLINE_CHECK_SINK = "deadline-check-sink";
    public static final String REQUEST_DEAD_LETTER_SINK = "request-dead-letter-sink";
    public static final String WORK_RESULT_DEAD_LETTER_SINK = "work-result-dead-letter-sink";
    public static final String DEDUPE_STORE = "request-dedupe";
    public static final String PENDING_STORE = "request-pending";
    public static final String STATUS_STORE = "request-status";
    public static final String TYPED_SCHEMAS = "typed-extraction-schemas";
    public static final String TYPED_EXTRACTION = "typed-extraction";
    public static final String TYPED_EXTRACTION_SINK = "typed-extraction-sink";
    public static final String TYPED_SCHEMA_STORE = "typed-extraction-schema";

    private BitnetTopology() {}

    /** The topology; {@code metrics} only observes, it does not change what the topology does. */
    public static Topology build(TopologyConfig config, Topics topics, Tokenizer tokenizer, TopologyMetrics metrics,
            TopologyForm form) {
        var topology = new Topology();
        // one dead-letter sink per part: a shared sink would join the input stages and the stateful stage into one
        // sub-topology, whose tasks would follow the input topics' partitions again (in the direct form they are
        // one sub-topology anyway, with equal partition counts)
        int maxOriginalBytes = DeadLetters.maxOriginalValueBytes(config.passthrough());
        int maxRecordBytes = DeadLetters.maxInputRecordBytes(config.passthrough());
        var deadLettering = new DeadLettering(DEAD_LETTER_SINK, topics.deadLetters().name(), metrics, maxOriginalBytes);
        var requestDeadLettering = new DeadLettering(REQUEST_DEAD_LETTER_SINK, topics.deadLetters().name(), metrics,
                maxOriginalBytes);
        var resultDeadLettering = new DeadLettering(WORK_RESULT_DEAD_LETTER_SINK, topics.deadLetters().name(), metrics,
                maxOriginalBytes);
        var validator = new RequestValidator(config, tokenizer);
        var chunker = new TextChunker(tokenizer, config.chunkTokens(), config.chunkOverlap());
        var bytes = Serdes.ByteArray().deserializer();

        topology.addSource(REQUESTS_SOURCE, bytes, bytes, topics.requests().name());
        var requestsPace = new CommitPacer();
        topology.addProcessor(DECODE_REQUEST, () -> new DecodeProcessor<>(topics.requests().valueSerde().deserializer(),
                topics.requests().name(), REPARTITION_REQUEST, "topology.decode-request", requestDeadLettering, metrics,
                maxRecordBytes, requestsPace), REQUESTS_SOURCE);
        boolean typed = !config.typedExtractionTopic().isEmpty();
        // requests by id (repartitioned, or direct) enter the stateful part here
        String requestsById = typed ? TYPED_SCHEMAS : DEDUPE_REQUEST;
        addRepartition(topology, topics.requestsById(), InferenceRequest::getRequestId, REPARTITION_REQUEST,
                REQUESTS_BY_ID_SINK, REQUESTS_BY_ID_SOURCE, DECODE_REQUEST,
                form.requestsDirect() ? requestsById : null, form.partitions());
        var requestsByIdPace = new CommitPacer();
        topology.addProcessor(DECODE_REQUEST_BY_ID, () -> new DecodeProcessor<>(
                topics.requestsById().valueSerde().deserializer(), topics.requestsById().name(), requestsById,
                "topology.decode-request", deadLettering, metrics, maxRecordBytes, requestsByIdPace), REQUESTS_BY_ID_SOURCE);
        String[] requestParents = form.requestsDirect()
                ? new String[] {DECODE_REQUEST_BY_ID, REPARTITION_REQUEST} : new String[] {DECODE_REQUEST_BY_ID};
        if (typed) {
            topology.addProcessor(TYPED_SCHEMAS, () -> new TypedSchemaProcessor(TYPED_SCHEMA_STORE,
                    config.dedupeWindow(), cleanupInterval(config), DEDUPE_REQUEST), requestParents);
            requestParents = new String[] {TYPED_SCHEMAS};
        }
        topology.addProcessor(DEDUPE_REQUEST, () -> new DedupeProcessor(DEDUPE_STORE, STATUS_STORE, config.dedupeWindow(),
                cleanupInterval(config), VALIDATE_REQUEST, metrics), requestParents);
        topology.addProcessor(VALIDATE_REQUEST, () -> new ValidateProcessor(validator, STATUS_STORE, CHUNK_REQUEST,
                deadLettering), DEDUPE_REQUEST);
        Map<TaskKind, WorkSink> workSinks = Map.of(
                TaskKind.CLASSIFY, new WorkSink("work-classify-sink", topics.workClassify().name()),
                TaskKind.EXTRACT, new WorkSink("work-extract-sink", topics.workExtract().name()),
                TaskKind.GENERATE, new WorkSink("work-generate-sink", topics.workGenerate().name()));
        topology.addProcessor(CHUNK_REQUEST, () -> new ChunkProcessor(chunker, PENDING_STORE, STATUS_STORE, workSinks,
                config.reassemblyTimeout(), config.dedupeWindow(), metrics, config::workerPublishesFinalResult),
                VALIDATE_REQUEST);
        addSink(topology, workSinks.get(TaskKind.CLASSIFY).node(), topics.workClassify(), CHUNK_REQUEST);
        addSink(topology, workSinks.get(TaskKind.EXTRACT).node(), topics.workExtract(), CHUNK_REQUEST);
        addSink(topology, workSinks.get(TaskKind.GENERATE).node(), topics.workGenerate(), CHUNK_REQUEST);

        topology.addSource(WORK_RESULTS_SOURCE, bytes, bytes, topics.workResults().name());
        var workResultsPace = new CommitPacer();
        topology.addProcessor(DECODE_WORK_RESULT, () -> new DecodeProcessor<>(topics.workResults().valueSerde().deserializer(),
                topics.workResults().name(), REPARTITION_WORK_RESULT, "topology.decode-work-result", resultDeadLettering,
                metrics, maxRecordBytes, workResultsPace), WORK_RESULTS_SOURCE);
        addRepartition(topology, topics.workResultsById(), WorkResult::getRequestId, REPARTITION_WORK_RESULT,
                WORK_RESULTS_BY_ID_SINK, WORK_RESULTS_BY_ID_SOURCE, DECODE_WORK_RESULT,
                form.workResultsDirect() ? REASSEMBLE : null, form.partitions());
        var workResultsByIdPace = new CommitPacer();
        topology.addProcessor(DECODE_WORK_RESULT_BY_ID, () -> new DecodeProcessor<>(
                topics.workResultsById().valueSerde().deserializer(), topics.workResultsById().name(), REASSEMBLE,
                "topology.decode-work-result", deadLettering, metrics, maxRecordBytes, workResultsByIdPace),
                WORK_RESULTS_BY_ID_SOURCE);
        Map<TaskKind, ResultSink> resultSinks = Map.of(
                TaskKind.CLASSIFY, new ResultSink("classification-results-sink", topics.classificationResults().name()),
                // with typed results on, extraction results pass through the typed step on their way to their sink
                TaskKind.EXTRACT, new ResultSink(typed ? TYPED_EXTRACTION : "extraction-results-sink",
                        topics.extractionResults().name()),
                TaskKind.GENERATE, new ResultSink("generation-results-sink", topics.generationResults().name()));
        topology.addProcessor(REASSEMBLE, () -> new ReassembleProcessor(PENDING_STORE, STATUS_STORE, resultSinks,
                DEADLINE_CHECK_SINK, config.punctuateInterval(), metrics), form.workResultsDirect()
                        ? new String[] {DECODE_WORK_RESULT_BY_ID, REPARTITION_WORK_RESULT}
                        : new String[] {DECODE_WORK_RESULT_BY_ID});
        if (typed) {
            addTypedExtraction(topology, config);
        }
        addSink(topology, resultSinks.get(TaskKind.CLASSIFY).node(), topics.classificationResults(), REASSEMBLE);
        addSink(topology, "extraction-results-sink", topics.extractionResults(), typed ? TYPED_EXTRACTION : REASSEMBLE);
        addSink(topology, resultSinks.get(TaskKind.GENERATE).node(), topics.generationResults(), REASSEMBLE);
        // keyed by request id with the producer's default partitioner, as the workers write: the request's partition
        addSink(topology, DEADLINE_CHECK_SINK, topics.workResults(), REASSEMBLE);

        addSink(topology, REQUEST_DEAD_LETTER_SINK, topics.deadLetters(), DECODE_REQUEST);
        addSink(topology, WORK_RESULT_DEAD_LETTER_SINK, topics.deadLetters(), DECODE_WORK_RESULT);
        addSink(topology, DEAD_LETTER_SINK, topics.deadLetters(), DECODE_REQUEST_BY_ID, VALIDATE_REQUEST,
                DECODE_WORK_RESULT_BY_ID);

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUPE_STORE),
                Serdes.String(), Serdes.Long()), DEDUPE_REQUEST);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
                Serdes.String(), new PendingRequestSerde()), CHUNK_REQUEST, REASSEMBLE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATUS_STORE),
                Serdes.String(), new JsonSerde<>(RequestStatus.class)), DEDUPE_REQUEST, VALIDATE_REQUEST, CHUNK_REQUEST,
                REASSEMBLE);
        return topology;
    }

    /**
     * Typed extraction results: the JSON Schema of each extraction request is remembered in front of dedupe
     * ({@link TypedSchemaProcessor}, on the requests by id, so it meets the request's result); the final extraction
     * result then also goes out as a typed Avro record ({@link TypedExtractionProcessor}), registered under the
     * subject of the schema's fingerprint.
     */
    private static void addTypedExtraction(Topology topology, TopologyConfig config) {
        topology.addProcessor(TYPED_EXTRACTION, () -> new TypedExtractionProcessor(TYPED_SCHEMA_STORE,
                "extraction-results-sink", TYPED_EXTRACTION_SINK), REASSEMBLE);
        // the typed schemas are made at run time, so this sink has its own registry client (lives as long as the app)
        var typedSerializer = new TypedExtractionSerializer(
                new HttpSchemaRegistryClient(SerdeConfig.parse(config.serdeConfig()).registry()));
        Serializer<Object> typedValues = (topic, value) -> typedSerializer.serialize(topic, (GenericRecord) value);
        topology.addSink(TYPED_EXTRACTION_SINK, config.typedExtractionTopic(), Serdes.String().serializer(), typedValues,
                TYPED_EXTRACTION);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TYPED_SCHEMA_STORE),
                Serdes.String(), Serdes.String()), TYPED_SCHEMAS, TYPED_EXTRACTION);
    }

    /** Forgetting old ids is a full scan: do it about ten times per window, at most once a minute. */
    static Duration cleanupInterval(TopologyConfig config) {
        Duration tenth = config.dedupeWindow().dividedBy(10);
        Duration interval = tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
        return interval.compareTo(config.punctuateInterval()) < 0 ? config.punctuateInterval() : interval;
    }

    /**
     * {@code processor} -> {@code sink} -> topic -> {@code source}: the decoded records of {@code parent} go to the
     * partition of their request id, as the bytes they were read as (the topic's serdes read them back). With a
     * {@code directStage} (the direct form), records already on that partition go there instead; {@code partitions}
     * is then the topic's partition count.
     */
    private static <V> void addRepartition(Topology topology, TopicSpec<String, V> topic, Function<V, String> requestId,
            String processor, String sink, String source, String parent, String directStage, int partitions) {
        var bytes = Serdes.ByteArray();
        Serializer<Envelope<V>> rawValue = (name, envelope) -> envelope.rawValue();
        var partitioner = new RequestIdPartitioner<>(requestId);
        topology.addProcessor(processor, () -> directStage == null ? RepartitionProcessor.<V>always(sink)
                : RepartitionProcessor.direct(sink, directStage, partitioner, partitions), parent);
        topology.addSink(sink, topic.name(), bytes.serializer(), rawValue, partitioner, processor);
        topology.addSource(source, bytes.deserializer(), bytes.deserializer(), topic.name());
    }

    @SuppressWarnings("unchecked")
    private static <V> void addSink(Topology topology, String name, TopicSpec<String, V> topic, String... parents) {
        Serializer<Object> values = (Serializer<Object>) topic.valueSerde().serializer();
        topology.addSink(name, topic.name(), topic.keySerde().serializer(), values, parents);
    }
}

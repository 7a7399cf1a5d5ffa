package io.bitnetstreams.topology.config;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigLoader;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.contract.config.KnownKeys;
import io.bitnetstreams.contract.config.Secrets;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.schemas.clients.ExactlyOnceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validated settings of the topology application, read by the pipeline's one loader ({@link ConfigLoader}: a
 * properties file, then the environment, {@code BITNET_CHUNK_TOKENS} = {@code bitnet.chunk.tokens} and
 * {@code KAFKA_LINGER_MS} = {@code linger.ms}, then command-line overrides, later sources winning). The
 * {@code bitnet.*} keys it knows are {@link #KEYS}; any other {@code bitnet.*} key is rejected, naming it. Keys
 * that do not start with {@code bitnet.} (Kafka client, Streams and {@code schema.registry.*} keys) are passed
 * through unchanged in {@link #passthrough()}.
 *
 * @param applicationId      Kafka Streams application.id ({@code bitnet.application.id})
 * @param topics             topic names ({@code bitnet.topic.requests}, {@code bitnet.topic.dlq}, ...)
 * @param partitions         partitions of topics the app creates ({@code bitnet.topics.partitions})
 * @param replicationFactor  replication of topics the app creates ({@code bitnet.topics.replication})
 * @param dedupeWindow       how long a request id is remembered ({@code bitnet.dedupe.window})
 * @param chunkTokens        token budget of one chunk ({@code bitnet.chunk.tokens})
 * @param chunkOverlap       tokens shared by neighbouring chunks ({@code bitnet.chunk.overlap})
 * @param contextTokens      model context; generation prompt + maxTokens must fit ({@code bitnet.context.tokens})
 * @param maxTextChars       longest accepted document ({@code bitnet.request.max.text.chars})
 * @param maxLabels          most labels of a classification ({@code bitnet.request.max.labels})
 * @param reassemblyTimeout  wait for chunks of a request without deadline ({@code bitnet.reassembly.timeout})
 * @param punctuateInterval  how often deadlines and expired ids are checked ({@code bitnet.punctuate.interval})
 * @param httpPort           status/metrics HTTP port, 0 = any free ({@code bitnet.http.port})
 * @param advertisedHost     host other instances reach this one on ({@code bitnet.http.advertised.host})
 * @param typedExtractionTopic where extraction results of requests with a JSON Schema also go as typed Avro records
 *                           (one field per extracted property; {@code bitnet.topic.results.extraction.typed}); empty:
 *                           off (the default)
 * @param directInputs       read an input whose partition count equals the repartition topics' in the stateful
 *                           sub-topology itself, repartitioning only records that are on another partition
 *                           ({@code bitnet.topology.direct.inputs}, default true; false: every record goes through
 *                           the repartition topics, the form before 2026-12). Switching changes the task ids: stop
 *                           every instance, then restart (not a rolling change)
 * @param workerFinalResults let the worker of a one-part request publish its final result in the transaction of its
 *                           work result, one exactly-once commit less per request ({@code
 *                           bitnet.topology.worker.final.results}, default true; not for extraction when typed results
 *                           are on: those pass through the topology's typed step). Workers need WRITE on the results
 *                           topics; a worker may still decline ({@code bitnet.final.results.publish=false})
 * @param passthrough        Kafka / Streams / registry properties, passed as given
 */
public record TopologyConfig(
        String applicationId,
        TopicNames topics,
        int partitions,
        short replicationFactor,
        Duration dedupeWindow,
        int chunkTokens,
        int chunkOverlap,
        int contextTokens,
        int maxTextChars,
        int maxLabels,
        Duration reassemblyTimeout,
        Duration punctuateInterval,
        int httpPort,
        String advertisedHost,
        String typedExtractionTopic,
        boolean directInputs,
        boolean workerFinalResults,
        Map<String, String> passthrough) {

    /** The {@code bitnet.*} keys of the topology: its own, the topic names and the serde's. */
    public static final KnownKeys KEYS = KnownKeys.of("topology", Set.of(
            "bitnet.application.id", "bitnet.topics.partitions", "bitnet.topics.replication", "bitnet.dedupe.window",
            "bitnet.chunk.tokens", "bitnet.chunk.overlap", "bitnet.context.tokens", "bitnet.request.max.text.chars",
            "bitnet.request.max.labels", "bitnet.reassembly.timeout", "bitnet.punctuate.interval", "bitnet.http.port",
            "bitnet.http.advertised.host", "bitnet.topic.results.extraction.typed", "bitnet.topology.direct.inputs",
            "bitnet.topology.worker.final.results"),
            TopicNames.KEYS, KnownKeys.SERDE);

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TYPED_EXTRACTION_TOPIC = "bitnet.topic.results.extraction.typed";
    public static final String DIRECT_INPUTS = "bitnet.topology.direct.inputs";
    public static final String WORKER_FINAL_RESULTS = "bitnet.topology.worker.final.results";
    /** Upper bound for {@link #maxTextChars}: keeps tokenizing one record well inside memory. */
    public static final int MAX_TEXT_CHARS_LIMIT = 4_000_000;

    public TopologyConfig {
        Objects.requireNonNull(topics, "topics");
        requireText(applicationId, "bitnet.application.id");
        requireRange("bitnet.topics.partitions", partitions, 1, 10_000);
        requireRange("bitnet.topics.replication", replicationFactor, 1, 32);
        requirePositive("bitnet.dedupe.window", dedupeWindow);
        requireRange("bitnet.chunk.tokens", chunkTokens, 16, 1 << 20);
        requireRange("bitnet.chunk.overlap", chunkOverlap, 0, chunkTokens / 2);
        requireRange("bitnet.context.tokens", contextTokens, 16, 1 << 22);
        requireRange("bitnet.request.max.text.chars", maxTextChars, 1, MAX_TEXT_CHARS_LIMIT);
        requireRange("bitnet.request.max.labels", maxLabels, 1, 10_000);
        requirePositive("bitnet.reassembly.timeout", reassemblyTimeout);
        requirePositive("bitnet.punctuate.interval", punctuateInterval);
        requireRange("bitnet.http.port", httpPort, 0, 65_535);
        requireText(advertisedHost, "bitnet.http.advertised.host");
        typedExtractionTopic = typedExtractionTopic == null ? "" : typedExtractionTopic.strip();
        if (!typedExtractionTopic.isEmpty() && !typedExtractionTopic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new ConfigException(TYPED_EXTRACTION_TOPIC, "illegal topic name '" + typedExtractionTopic + "'");
        }
        passthrough = Map.copyOf(passthrough);
        ExactlyOnceSettings.refuseOverrides(passthrough);
    }

    /** Defaults everywhere, for the given cluster and registry. */
    public static TopologyConfig defaults(String bootstrapServers, String registryUrl) {
        return fromMap(Map.of(BOOTSTRAP_SERVERS, bootstrapServers, SCHEMA_REGISTRY_URL, registryUrl));
    }

    /** File (optional; else {@code BITNET_CONFIG}), then the environment, then {@code overrides}. */
    public static TopologyConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return from(ConfigLoader.load(KEYS, file, env, overrides));
    }

    /** Validates a flat key/value map; failures name the key. */
    public static TopologyConfig fromMap(Map<String, String> values) {
        return from(ConfigValues.of(KEYS, values));
    }

    /** Validates loaded values; failures name the key. */
    public static TopologyConfig from(ConfigValues in) {
        TopicNames names = TopicNames.from(in);
        Map<String, String> passthrough = in.serdeConfig();
        if (passthrough.getOrDefault(BOOTSTRAP_SERVERS, "").isBlank()) {
            throw new ConfigException(BOOTSTRAP_SERVERS, "required (--bootstrap-servers, KAFKA_BOOTSTRAP_SERVERS)");
        }
        if (passthrough.getOrDefault(SCHEMA_REGISTRY_URL, "").isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, "required (--schema-registry, SCHEMA_REGISTRY_URL)");
        }
        return new TopologyConfig(
                in.text("bitnet.application.id", "bitnet-topology"),
                names,
                in.integer("bitnet.topics.partitions", 3),
                (short) in.integer("bitnet.topics.replication", 1),
                in.duration("bitnet.dedupe.window", Duration.ofHours(24)),
                in.integer("bitnet.chunk.tokens", 1024),
                in.integer("bitnet.chunk.overlap", 64),
                in.integer("bitnet.context.tokens", 4096),
                in.integer("bitnet.request.max.text.chars", 1_000_000),
                // the engine's own limit: more labels would be refused by every worker
                in.integer("bitnet.request.max.labels", EngineConfig.defaults().maxLabels()),
                in.duration("bitnet.reassembly.timeout", Duration.ofMinutes(10)),
                in.duration("bitnet.punctuate.interval", Duration.ofSeconds(1)),
                in.integer("bitnet.http.port", 8080),
                in.text("bitnet.http.advertised.host", "localhost"),
                in.text(TYPED_EXTRACTION_TOPIC, ""),
                in.bool(DIRECT_INPUTS, true),
                in.bool(WORKER_FINAL_RESULTS, true),
                passthrough);
    }

    public String bootstrapServers() {
        return passthrough.get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return passthrough.get(SCHEMA_REGISTRY_URL);
    }

    /** Keys for the Avro serdes: the {@code schema.registry.*}-style passthrough keys. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> serde = new HashMap<>(passthrough);
        return serde;
    }

    /**
     * True when the worker of a one-part request of this kind may publish its final result (typed extraction results
     * are made by the topology, so extraction is excluded while they are on).
     */
    public boolean workerPublishesFinalResult(TaskKind kind) {
        return workerFinalResults && !(kind == TaskKind.EXTRACT && !typedExtractionTopic.isEmpty());
    }

    /** The topology's own repartition topics (derived from the application id). */
    public RepartitionTopicNames repartitionTopics() {
        return RepartitionTopicNames.of(applicationId);
    }

    /** A copy with another HTTP port (tests use 0). */
    public TopologyConfig withHttpPort(int port) {
        return new TopologyConfig(applicationId, topics, partitions, replicationFactor, dedupeWindow, chunkTokens,
                chunkOverlap, contextTokens, maxTextChars, maxLabels, reassemblyTimeout, punctuateInterval, port,
                advertisedHost, typedExtractionTopic, directInputs, workerFinalResults, passthrough);
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "must not be blank");
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key, value + " is outside [" + min + ", " + max + "]");
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigException(key, "must be a positive duration, got " + value);
        }
    }

    /** Secrets (passwords, JAAS configs, registry user info) masked. */
    @Override
    public String toString() {
        return "TopologyConfig[applicationId=" + applicationId + ", topics=" + topics + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + ", dedupeWindow=" + dedupeWindow + ", chunkTokens="
                + chunkTokens + ", chunkOverlap=" + chunkOverlap + ", contextTokens=" + contextTokens
                + ", maxTextChars=" + maxTextChars + ", maxLabels=" + maxLabels + ", reassemblyTimeout="
                + reassemblyTimeout + ", punctuateInterval=" + punctuateInterval + ", httpPort=" + httpPort
                + ", advertisedHost=" + advertisedHost + ", typedExtractionTopic=" + typedExtractionTopic
                + ", directInputs=" + directInputs + ", workerFinalResults=" + workerFinalResults
                + ", passthrough=" + Secrets.masked(passthrough) + "]";
    }
}

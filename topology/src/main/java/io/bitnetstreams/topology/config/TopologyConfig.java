package io.bitnetstreams.topology.config;

import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.schemas.clients.ExactlyOnceSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Validated settings of the topology application. Read from a properties file, then {@code BITNET_*} environment
 * variables ({@code BITNET_CHUNK_TOKENS} = {@code bitnet.chunk.tokens}), then command-line overrides, later sources
 * winning. Keys that do not start with {@code bitnet.} (Kafka client, Streams and {@code schema.registry.*} keys)
 * are passed through unchanged in {@link #passthrough()}.
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
        Map<String, String> passthrough) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TYPED_EXTRACTION_TOPIC = "bitnet.topic.results.extraction.typed";
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
            throw new IllegalArgumentException("bitnet.topic.results.extraction.typed: illegal topic name '"
                    + typedExtractionTopic + "'");
        }
        passthrough = Map.copyOf(passthrough);
        ExactlyOnceSettings.refuseOverrides(passthrough);
    }

    /** Defaults everywhere, for the given cluster and registry. */
    public static TopologyConfig defaults(String bootstrapServers, String registryUrl) {
        return fromMap(Map.of(BOOTSTRAP_SERVERS, bootstrapServers, SCHEMA_REGISTRY_URL, registryUrl));
    }

    /** File (optional), then {@code BITNET_*} variables of {@code env}, then {@code overrides}. */
    public static TopologyConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readProperties(file));
        }
        env.forEach((name, value) -> {
            if (name.startsWith("BITNET_")) {
                merged.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        overrides.forEach((key, value) -> {
            if (value != null) {
                merged.put(key, value);
            }
        });
        return fromMap(merged);
    }

    /** Validates a flat key/value map; failures name the key. */
    public static TopologyConfig fromMap(Map<String, String> values) {
        var in = new Values(values);
        var names = new TopicNames(
                in.text("bitnet.topic.requests", TopicNames.DEFAULTS.requests()),
                in.text("bitnet.topic.dlq", TopicNames.DEFAULTS.deadLetters()),
                in.text("bitnet.topic.work.classify", TopicNames.DEFAULTS.workClassify()),
                in.text("bitnet.topic.work.extract", TopicNames.DEFAULTS.workExtract()),
                in.text("bitnet.topic.work.generate", TopicNames.DEFAULTS.workGenerate()),
                in.text("bitnet.topic.work.results", TopicNames.DEFAULTS.workResults()),
                in.text("bitnet.topic.results.classification", TopicNames.DEFAULTS.classificationResults()),
                in.text("bitnet.topic.results.extraction", TopicNames.DEFAULTS.extractionResults()),
                in.text("bitnet.topic.results.generation", TopicNames.DEFAULTS.generationResults()));
        Map<String, String> passthrough = new HashMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith("bitnet.") && value != null) {
                passthrough.put(key, value);
            }
        });
        if (passthrough.getOrDefault(BOOTSTRAP_SERVERS, "").isBlank()) {
            throw new IllegalArgumentException(BOOTSTRAP_SERVERS + " is required (--bootstrap-servers)");
        }
        if (passthrough.getOrDefault(SCHEMA_REGISTRY_URL, "").isBlank()) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " is required (--schema-registry)");
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

    /** The topology's own repartition topics (derived from the application id). */
    public RepartitionTopicNames repartitionTopics() {
        return RepartitionTopicNames.of(applicationId);
    }

    /** A copy with another HTTP port (tests use 0). */
    public TopologyConfig withHttpPort(int port) {
        return new TopologyConfig(applicationId, topics, partitions, replicationFactor, dedupeWindow, chunkTokens,
                chunkOverlap, contextTokens, maxTextChars, maxLabels, reassemblyTimeout, punctuateInterval, port,
                advertisedHost, typedExtractionTopic, passthrough);
    }

    private static Map<String, String> readProperties(Path file) {
        var properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name).strip()));
        return map;
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be blank");
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " = " + value + " is outside [" + min + ", " + max + "]");
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
        }
    }

    /** Typed reads of the flat map; every failure names its key. */
    private record Values(Map<String, String> map) {

        String text(String key, String fallback) {
            String value = map.get(key);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        int integer(String key, int fallback) {
            String value = map.get(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " = '" + value + "' is not a whole number");
            }
        }

        /** Milliseconds ({@code 5000}), ISO-8601 ({@code PT24H}) or a number with s, m, h or d ({@code 24h}). */
        Duration duration(String key, Duration fallback) {
            String value = map.get(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            String text = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (text.startsWith("pt") || text.startsWith("p")) {
                    return Duration.parse(text.toUpperCase(Locale.ROOT));
                }
                char unit = text.charAt(text.length() - 1);
                if (Character.isDigit(unit)) {
                    return Duration.ofMillis(Long.parseLong(text));
                }
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                return switch (unit) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    case 'd' -> Duration.ofDays(amount);
                    default -> throw new IllegalArgumentException(key + " = '" + value + "': unknown unit '" + unit + "'");
                };
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IllegalArgumentException(key + " = '" + value + "' is not a duration (e.g. 5000, 30s, 24h, PT24H)");
            }
        }
    }
}

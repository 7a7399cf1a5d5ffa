package io.bitnetstreams.worker.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds a {@link WorkerConfig} from, in increasing precedence: a properties file, {@code BITNET_*}
 * environment variables ({@code BITNET_QUEUE_CAPACITY} is {@code queue.capacity}), and explicit
 * overrides (command-line options).
 *
 * <p>Worker keys: {@code model, threads, batch.max.size, queue.capacity, memory.max.mb, tasks,
 * topic.classify, topic.extract, topic.generate, topic.results, topic.dead.letter, instance.id, group.id,
 * transactional.id.prefix, retries.max, shutdown.grace.ms, revoke.grace.ms, commit.interval.ms,
 * poll.timeout.ms, http.port, engine.kernels, engine.head, engine.repack.cache}. Kafka client properties pass through as {@code kafka.<key>} or as a plain
 * consumer/producer key; serde keys ({@code schema.registry.*}, {@code bitnet.schema.registry.*},
 * {@code basic.auth.*}, ...) go to the Avro serde. Any other key fails, naming it.
 */
public final class WorkerConfigLoader {

    private static final String ENV_PREFIX = "BITNET_";
    private static final String KAFKA_PREFIX = "kafka.";
    private static final Set<String> WORKER_KEYS = Set.of(
            "model", "threads", "batch.max.size", "queue.capacity", "memory.max.mb", "tasks",
            "topic.classify", "topic.extract", "topic.generate", "topic.results", "topic.dead.letter",
            "instance.id", "group.id", "transactional.id.prefix", "retries.max", "shutdown.grace.ms",
            "revoke.grace.ms", "commit.interval.ms", "poll.timeout.ms", "http.port",
            "engine.kernels", "engine.head", "engine.repack.cache");
    /** Environment variables with the prefix that are not config (launcher settings). */
    private static final Set<String> IGNORED_ENV = Set.of("java.opts", "home", "jvm.args", "config", "apicurio.dist", "cache.dir");
    private static final Set<String> SERDE_KEYS = Set.of(
            "schema.registry.url", "auto.register.schemas", "use.latest.version", "specific.avro.reader",
            "key.subject.name.strategy", "value.subject.name.strategy");

    private WorkerConfigLoader() {}

    /** Loads file (may be null), then environment, then overrides. */
    public static WorkerConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readFile(file));
        }
        merged.putAll(fromEnvironment(environment));
        merged.putAll(overrides);
        return fromMap(merged, environment);
    }

    /** Maps {@code BITNET_FOO_BAR=x} to {@code foo.bar=x}; other variables are ignored. */
    static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> keys = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                if (!IGNORED_ENV.contains(key)) {
                    keys.put(key, value);
                }
            }
        });
        return keys;
    }

    static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException("config file", "cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k.trim(), properties.getProperty(k).trim()));
        return map;
    }

    /** Validates a flat key/value map. */
    public static WorkerConfig fromMap(Map<String, String> values, Map<String, String> environment) {
        Map<String, String> worker = new HashMap<>();
        Map<String, String> kafka = new HashMap<>();
        Map<String, String> serde = new HashMap<>();
        Set<String> clientKeys = clientKeys();
        values.forEach((key, value) -> {
            if (WORKER_KEYS.contains(key)) {
                worker.put(key, value);
            } else if (key.startsWith(KAFKA_PREFIX)) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), value);
            } else if (isSerdeKey(key)) {
                serde.put(key, value);
            } else if (clientKeys.contains(key)) {
                kafka.put(key, value);
            } else {
                throw new InvalidConfigException(key, "unknown key (worker keys: " + String.join(", ", WORKER_KEYS.stream().sorted().toList())
                        + "; Kafka client properties as kafka.<key> or plain; schema.registry.*)");
            }
        });
        String groupId = worker.getOrDefault("group.id", kafka.getOrDefault("group.id", "bitnet-workers"));
        kafka.remove("group.id");
        Map<TaskType, String> topics = new EnumMap<>(TaskType.class);
        for (TaskType task : TaskType.values()) {
            String key = "topic." + task.name().toLowerCase(Locale.ROOT);
            topics.put(task, worker.getOrDefault(key, task.defaultTopic()));
        }
        return new WorkerConfig(
                worker.getOrDefault("instance.id", defaultInstanceId(environment)),
                worker.get("model"),
                intValue(worker, "threads", Math.max(1, Runtime.getRuntime().availableProcessors())),
                intValue(worker, "batch.max.size", 8),
                intValue(worker, "queue.capacity", 64),
                longValue(worker, "memory.max.mb", 0),
                tasks(worker.getOrDefault("tasks", "classify,extract,generate")),
                topics,
                worker.getOrDefault("topic.results", "bitnet.work.results"),
                worker.getOrDefault("topic.dead.letter", "bitnet.work.dead-letter"),
                groupId,
                worker.getOrDefault("transactional.id.prefix", "bitnet-worker"),
                intValue(worker, "retries.max", 2),
                millis(worker, "shutdown.grace.ms", 30_000),
                millis(worker, "revoke.grace.ms", 10_000),
                millis(worker, "commit.interval.ms", 200),
                millis(worker, "poll.timeout.ms", 100),
                intValue(worker, "http.port", 8080),
                EngineSettings.parse(worker.get("engine.kernels"), worker.get("engine.head"), worker.get("engine.repack.cache")),
                kafka,
                serde);
    }

    private static boolean isSerdeKey(String key) {
        return SERDE_KEYS.contains(key) || key.startsWith("schema.registry.") || key.startsWith("bitnet.schema.registry.")
                || key.startsWith("basic.auth.");
    }

    private static Set<String> clientKeys() {
        Set<String> keys = new java.util.HashSet<>(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        return keys;
    }

    private static List<TaskType> tasks(String value) {
        List<TaskType> tasks = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                TaskType task = TaskType.parse("tasks", part);
                if (!tasks.contains(task)) {
                    tasks.add(task);
                }
            }
        }
        return tasks;
    }

    private static String defaultInstanceId(Map<String, String> environment) {
        String host = environment.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "worker";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static int intValue(Map<String, String> values, String key, int fallback) {
        long value = longValue(values, key, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidConfigException(key, "out of range: " + value);
        }
        return (int) value;
    }

    private static long longValue(Map<String, String> values, String key, long fallback) {
        String text = values.get(key);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, "'" + text + "' is not an integer");
        }
    }

    private static Duration millis(Map<String, String> values, String key, long fallback) {
        return Duration.ofMillis(longValue(values, key, fallback));
    }
}

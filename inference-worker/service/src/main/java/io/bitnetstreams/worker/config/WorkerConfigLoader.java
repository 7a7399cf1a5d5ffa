package io.bitnetstreams.worker.config;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigLoader;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.contract.config.KnownKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link WorkerConfig} with the pipeline's one loader ({@link ConfigLoader}: properties file, then
 * environment, then overrides; {@code BITNET_QUEUE_CAPACITY} is {@code bitnet.queue.capacity},
 * {@code KAFKA_LINGER_MS} is {@code linger.ms}).
 *
 * <p>Worker keys: {@code bitnet.model, bitnet.threads, bitnet.batch.max.size, bitnet.queue.capacity,
 * bitnet.memory.max.mb, bitnet.tasks, bitnet.instance.id, bitnet.transactional.id.prefix, bitnet.retries.max,
 * bitnet.shutdown.grace.ms, bitnet.revoke.grace.ms, bitnet.commit.interval.ms, bitnet.poll.timeout.ms,
 * bitnet.http.port, bitnet.topics.wait, bitnet.final.results.publish, bitnet.speculative.reads, bitnet.engine.kernels, bitnet.engine.head,
 * bitnet.engine.repack.cache}, the
 * topic names {@code bitnet.topic.*} ({@link TopicNames}) and the serde's {@code bitnet.schema.registry.*}. Any
 * other {@code bitnet.*} key fails, naming it. Keys outside {@code bitnet.*} pass through verbatim: Kafka client
 * properties (the consumer group is {@code group.id}, default {@code bitnet-workers}) and serde keys
 * ({@code schema.registry.*}, {@code basic.auth.*}, ...). The worker's former un-prefixed keys ({@code threads},
 * {@code topic.dead.letter}, {@code kafka.<key>}, ...) fail with their current name.
 */
public final class WorkerConfigLoader {

    public static final String GROUP_ID = "group.id";

    /** Former key -> current key (the worker's keys had no prefix before the pipeline shared one loader). */
    private static final Map<String, String> RENAMED = Map.ofEntries(
            Map.entry("model", "bitnet.model"), Map.entry("threads", "bitnet.threads"),
            Map.entry("batch.max.size", "bitnet.batch.max.size"), Map.entry("queue.capacity", "bitnet.queue.capacity"),
            Map.entry("memory.max.mb", "bitnet.memory.max.mb"), Map.entry("tasks", "bitnet.tasks"),
            Map.entry("instance.id", "bitnet.instance.id"),
            Map.entry("transactional.id.prefix", "bitnet.transactional.id.prefix"),
            Map.entry("retries.max", "bitnet.retries.max"), Map.entry("shutdown.grace.ms", "bitnet.shutdown.grace.ms"),
            Map.entry("revoke.grace.ms", "bitnet.revoke.grace.ms"),
            Map.entry("commit.interval.ms", "bitnet.commit.interval.ms"),
            Map.entry("poll.timeout.ms", "bitnet.poll.timeout.ms"), Map.entry("http.port", "bitnet.http.port"),
            Map.entry("engine.kernels", "bitnet.engine.kernels"), Map.entry("engine.head", "bitnet.engine.head"),
            Map.entry("engine.repack.cache", "bitnet.engine.repack.cache"),
            Map.entry("topic.classify", TopicNames.WORK_CLASSIFY), Map.entry("topic.extract", TopicNames.WORK_EXTRACT),
            Map.entry("topic.generate", TopicNames.WORK_GENERATE), Map.entry("topic.results", TopicNames.WORK_RESULTS),
            Map.entry("topic.dead.letter", TopicNames.DEAD_LETTERS),
            Map.entry("bitnet.topic.classify", TopicNames.WORK_CLASSIFY),
            Map.entry("bitnet.topic.extract", TopicNames.WORK_EXTRACT),
            Map.entry("bitnet.topic.generate", TopicNames.WORK_GENERATE),
            Map.entry("bitnet.topic.results", TopicNames.WORK_RESULTS),
            Map.entry("bitnet.topic.dead.letter", TopicNames.DEAD_LETTERS),
            // Kafka client properties were given as kafka.<key> (BITNET_KAFKA_<KEY>); now verbatim (KAFKA_<KEY>)
            Map.entry("kafka.", ""), Map.entry("bitnet.kafka.", ""));

    /** The worker's {@code bitnet.*} keys. */
    public static final KnownKeys KEYS = KnownKeys.of("worker", Set.of(
            "bitnet.model", "bitnet.threads", "bitnet.batch.max.size", "bitnet.queue.capacity", "bitnet.memory.max.mb",
            "bitnet.tasks", "bitnet.instance.id", "bitnet.transactional.id.prefix", "bitnet.retries.max",
            "bitnet.shutdown.grace.ms", "bitnet.revoke.grace.ms", "bitnet.commit.interval.ms", "bitnet.poll.timeout.ms",
            "bitnet.http.port", "bitnet.topics.wait", "bitnet.final.results.publish", "bitnet.speculative.reads",
            "bitnet.engine.kernels",
            "bitnet.engine.head", "bitnet.engine.repack.cache"), TopicNames.KEYS, KnownKeys.SERDE).withRenamed(RENAMED);

    private WorkerConfigLoader() {}

    /** Loads file (may be null; else {@code BITNET_CONFIG}), then environment, then overrides. */
    public static WorkerConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        return from(ConfigLoader.load(KEYS, file, environment, overrides), environment);
    }

    /** Validates a flat key/value map ({@code environment} only supplies {@code HOSTNAME}, the default instance id). */
    public static WorkerConfig fromMap(Map<String, String> values, Map<String, String> environment) {
        return from(ConfigValues.of(KEYS, values), environment);
    }

    /** Validates loaded values; errors name the key. */
    public static WorkerConfig from(ConfigValues in, Map<String, String> environment) {
        Map<String, String> kafka = new HashMap<>(in.clientConfig());
        String groupId = kafka.remove(GROUP_ID);
        EngineSettings engine = EngineSettings.parse(in.get("bitnet.engine.kernels").orElse(null),
                in.get("bitnet.engine.head").orElse(null), in.get("bitnet.engine.repack.cache").orElse(null));
        return new WorkerConfig(
                in.text("bitnet.instance.id", defaultInstanceId(environment)),
                in.required("bitnet.model", "--model, BITNET_MODEL: a model file, hf:OWNER/REPO/FILE or 'keyword'"),
                in.integer("bitnet.threads", Math.max(1, Runtime.getRuntime().availableProcessors())),
                in.integer("bitnet.batch.max.size", 8),
                in.integer("bitnet.queue.capacity", 64),
                in.longValue("bitnet.memory.max.mb", 0),
                tasks(in.text("bitnet.tasks", "classify,extract,generate")),
                TopicNames.from(in),
                groupId == null ? "bitnet-workers" : groupId,
                in.text("bitnet.transactional.id.prefix", "bitnet-worker"),
                in.integer("bitnet.retries.max", 2),
                in.duration("bitnet.shutdown.grace.ms", Duration.ofSeconds(30)),
                in.duration("bitnet.revoke.grace.ms", Duration.ofSeconds(10)),
                in.duration("bitnet.commit.interval.ms", Duration.ofMillis(200)),
                in.duration("bitnet.poll.timeout.ms", Duration.ofMillis(100)),
                in.integer("bitnet.http.port", 8080),
                in.duration("bitnet.topics.wait", Duration.ofSeconds(60)),
                in.bool("bitnet.final.results.publish", true),
                in.bool("bitnet.speculative.reads", true),
                engine,
                kafka,
                in.serdeConfig());
    }

    private static List<TaskKind> tasks(String value) {
        List<TaskKind> tasks = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                TaskKind task = TaskKind.fromWireName(part.strip().toLowerCase(java.util.Locale.ROOT))
                        .orElseThrow(() -> new ConfigException("bitnet.tasks", "unknown task '" + part.strip()
                                + "' (expected classify, extract or generate)"));
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
}

package io.bitnetstreams.worker.config;

import io.bitnetstreams.schemas.clients.ExactlyOnceSettings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one worker process needs, validated at construction. Built by {@link WorkerConfigLoader}
 * from a properties file and {@code BITNET_*} environment variables.
 *
 * <p>Timeouts of the Kafka clients are derived from these limits in {@link #consumerDefaults()} and
 * {@link #producerDefaults()}; explicit client properties in {@link #kafka()} win.
 *
 * @param instanceId      stable id of this worker instance; its transactional id is
 *                        {@code transactionalIdPrefix + "-" + instanceId}, so a restarted instance fences its zombie
 * @param model           model path, {@code hf:OWNER/REPO/FILE}, or {@code keyword} for the keyword executor
 * @param threads         inference threads
 * @param maxBatchSize    most sequences the executor runs together
 * @param queueCapacity   most work items in flight (queued or running) per process; the consumer pauses beyond
 * @param maxMemoryMb     memory budget of the executor (KV caches), 0 = engine default
 * @param tasks           task types this worker consumes
 * @param topics          topic per task type (only the configured tasks are subscribed)
 * @param resultsTopic    where {@code WorkResult}s go (key = requestId)
 * @param deadLetterTopic where undeserializable records go
 * @param groupId         consumer group shared by all workers
 * @param transactionalIdPrefix prefix of the transactional id
 * @param maxRetries      retries of a work item whose execution failed transiently
 * @param shutdownGrace   how long SIGTERM waits for in-flight work before aborting it
 * @param revokeGrace     how long a rebalance waits for in-flight work of revoked partitions
 * @param commitInterval  how often completed work is committed (one transaction each time)
 * @param pollTimeout     longest single consumer poll
 * @param httpPort        port of /health and /metrics; 0 = any free port, -1 = no HTTP server
 * @param kafka           client properties passed through to consumer and producer
 * @param serde           serde properties ({@code schema.registry.*}, {@code bitnet.schema.registry.*}, ...)
 */
public record WorkerConfig(
        String instanceId,
        String model,
        int threads,
        int maxBatchSize,
        int queueCapacity,
        long maxMemoryMb,
        List<TaskType> tasks,
        Map<TaskType, String> topics,
        String resultsTopic,
        String deadLetterTopic,
        String groupId,
        String transactionalIdPrefix,
        int maxRetries,
        Duration shutdownGrace,
        Duration revokeGrace,
        Duration commitInterval,
        Duration pollTimeout,
        int httpPort,
        EngineSettings engine,
        Map<String, String> kafka,
        Map<String, String> serde) {

    public static final int MAX_QUEUE_CAPACITY = 100_000;

    public WorkerConfig {
        requireText("instance.id", instanceId);
        if (!instanceId.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new InvalidConfigException("instance.id", "'" + instanceId + "' must be 1-200 of [A-Za-z0-9._-]");
        }
        requireText("model", model);
        requireRange("threads", threads, 1, 1024);
        requireRange("batch.max.size", maxBatchSize, 1, 4096);
        requireRange("queue.capacity", queueCapacity, 1, MAX_QUEUE_CAPACITY);
        if (maxMemoryMb < 0) {
            throw new InvalidConfigException("memory.max.mb", "must be >= 0, was " + maxMemoryMb);
        }
        if (tasks == null || tasks.isEmpty()) {
            throw new InvalidConfigException("tasks", "at least one of classify, extract, generate is needed");
        }
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(topics, "topics");
        var topicCopy = new EnumMap<TaskType, String>(TaskType.class);
        for (TaskType task : TaskType.values()) {
            String topic = topics.getOrDefault(task, task.defaultTopic());
            requireTopic("topic." + task.name().toLowerCase(java.util.Locale.ROOT), topic);
            topicCopy.put(task, topic);
        }
        topics = Map.copyOf(topicCopy);
        requireTopic("topic.results", resultsTopic);
        requireTopic("topic.dead.letter", deadLetterTopic);
        requireText("group.id", groupId);
        requireText("transactional.id.prefix", transactionalIdPrefix);
        requireRange("retries.max", maxRetries, 0, 100);
        requirePositive("shutdown.grace.ms", shutdownGrace);
        requirePositive("revoke.grace.ms", revokeGrace);
        requirePositive("commit.interval.ms", commitInterval);
        requirePositive("poll.timeout.ms", pollTimeout);
        requireRange("http.port", httpPort, -1, 65535);
        Objects.requireNonNull(engine, "engine");
        kafka = Map.copyOf(kafka);
        try {
            ExactlyOnceSettings.refuseOverrides(kafka);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("kafka", e.getMessage());
        }
        serde = Map.copyOf(serde);
        if (!kafka.containsKey("bootstrap.servers")) {
            throw new InvalidConfigException("bootstrap.servers", "missing (set bootstrap.servers, kafka.bootstrap.servers or BITNET_BOOTSTRAP_SERVERS)");
        }
        if (!serde.containsKey("schema.registry.url")) {
            throw new InvalidConfigException("schema.registry.url", "missing (set schema.registry.url or BITNET_SCHEMA_REGISTRY_URL)");
        }
    }

    /** The transactional id of this instance: stable across restarts so the broker fences a zombie. */
    public String transactionalId() {
        return transactionalIdPrefix + "-" + instanceId;
    }

    /** Topics this worker subscribes to, in task order. */
    public List<String> subscribedTopics() {
        return tasks.stream().map(topics::get).distinct().toList();
    }

    /**
     * Consumer settings derived from the limits, before the explicit {@link #kafka()} properties.
     *
     * <ul>
     *   <li>{@code max.poll.records = queueCapacity}: one poll never brings more than fits in flight.</li>
     *   <li>{@code max.poll.interval.ms}: the loop polls every {@code pollTimeout} except while a rebalance
     *       or shutdown waits for in-flight work ({@code revokeGrace}/{@code shutdownGrace}) and commits; so
     *       it is {@code 2 x max(revokeGrace, shutdownGrace) + 60 s}.</li>
     *   <li>{@code session.timeout.ms = 30 s}: the heartbeat thread is independent of inference; this
     *       bounds how long a SIGKILLed worker's partitions wait before reassignment.</li>
     *   <li>{@code isolation.level=read_committed}, no auto commit (offsets go through transactions),
     *       cooperative-sticky assignment (rebalances only move the partitions that must move).</li>
     * </ul>
     */
    public Map<String, Object> consumerDefaults() {
        long longestWait = Math.max(revokeGrace.toMillis(), shutdownGrace.toMillis());
        return Map.of(
                "group.id", groupId,
                "enable.auto.commit", "false",
                "isolation.level", "read_committed",
                "auto.offset.reset", "earliest",
                "partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
                "max.poll.records", String.valueOf(queueCapacity),
                "max.poll.interval.ms", String.valueOf(2 * longestWait + 60_000),
                "session.timeout.ms", "30000",
                "client.id", "bitnet-worker-" + instanceId);
    }

    /**
     * Producer settings derived from the limits. A transaction is only open while one commit runs
     * (results of a completed prefix plus offsets, sent together), never while inference runs, so
     * {@code transaction.timeout.ms} only has to cover sending at most {@code queueCapacity} results:
     * {@code max(60 s, 4 x commitInterval)}. A worker killed inside a commit leaves a transaction that
     * its restart aborts in {@code initTransactions}, or the broker after that timeout.
     */
    public Map<String, Object> producerDefaults() {
        return Map.of(
                "transactional.id", transactionalId(),
                "enable.idempotence", "true",
                "acks", "all",
                "transaction.timeout.ms", String.valueOf(Math.max(60_000, 4 * commitInterval.toMillis())),
                "client.id", "bitnet-worker-" + instanceId + "-producer");
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(key, "must not be empty");
        }
    }

    private static void requireTopic(String key, String topic) {
        requireText(key, topic);
        if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new InvalidConfigException(key, "'" + topic + "' is not a legal topic name");
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidConfigException(key, "must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigException(key, "must be a positive duration");
        }
    }
}

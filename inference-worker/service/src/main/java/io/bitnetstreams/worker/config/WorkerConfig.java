package io.bitnetstreams.worker.config;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.KnownKeys;
import io.bitnetstreams.contract.config.Secrets;
import io.bitnetstreams.schemas.clients.ExactlyOnceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one worker process needs, validated at construction. Built by {@link #load} (the pipeline's one
 * loader: properties file, then environment, then overrides) from the keys {@link #KEYS}; see
 * {@link WorkerConfigLoader} for each key.
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
 * @param tasks           task kinds this worker consumes
 * @param topics          the pipeline's topics: a work topic per task kind (only the configured tasks are
 *                        subscribed), results ({@link #resultsTopic()}), dead letters ({@link #deadLetterTopic()})
 * @param groupId         consumer group shared by all workers
 * @param transactionalIdPrefix prefix of the transactional id
 * @param maxRetries      retries of a work item whose execution failed transiently
 * @param shutdownGrace   how long SIGTERM waits for in-flight work before aborting it
 * @param revokeGrace     how long a rebalance waits for in-flight work of revoked partitions
 * @param commitInterval  how often completed work is committed (one transaction each time)
 * @param pollTimeout     longest single consumer poll
 * @param httpPort        port of /health and /metrics; 0 = any free port, -1 = no HTTP server
 * @param topicWait       how long the start waits for the topology to create missing topics before failing
 * @param publishFinalResults {@code bitnet.final.results.publish}: publish the final result of a one-part request
 *                        whose work item allows it ({@code finalResultDeadline}) in the transaction of its work result
 *                        (needs WRITE on the results topics); false: always plain work results, the topology publishes
 * @param speculativeReads {@code bitnet.speculative.reads}: start inference on a work item as soon as it is written,
 *                        before its transaction commits (a second, read_uncommitted consumer); what is published still
 *                        comes only from the committed read, and inference on an aborted item is dropped
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
        List<TaskKind> tasks,
        TopicNames topics,
        String groupId,
        String transactionalIdPrefix,
        int maxRetries,
        Duration shutdownGrace,
        Duration revokeGrace,
        Duration commitInterval,
        Duration pollTimeout,
        int httpPort,
        Duration topicWait,
        boolean publishFinalResults,
        boolean speculativeReads,
        EngineSettings engine,
        Map<String, String> kafka,
        Map<String, String> serde) {

    public static final int MAX_QUEUE_CAPACITY = 100_000;

    /** The {@code bitnet.*} keys of the worker (see {@link WorkerConfigLoader}). */
    public static final KnownKeys KEYS = WorkerConfigLoader.KEYS;

    /** File (may be null; else {@code BITNET_CONFIG}), then the environment, then overrides; errors name the key. */
    public static WorkerConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        return WorkerConfigLoader.load(file, environment, overrides);
    }

    public WorkerConfig {
        requireText("bitnet.instance.id", instanceId);
        if (!instanceId.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new ConfigException("bitnet.instance.id", "'" + instanceId + "' must be 1-200 of [A-Za-z0-9._-]");
        }
        requireText("bitnet.model", model);
        requireRange("bitnet.threads", threads, 1, 1024);
        requireRange("bitnet.batch.max.size", maxBatchSize, 1, 4096);
        requireRange("bitnet.queue.capacity", queueCapacity, 1, MAX_QUEUE_CAPACITY);
        if (maxMemoryMb < 0) {
            throw new ConfigException("bitnet.memory.max.mb", "must be >= 0, was " + maxMemoryMb);
        }
        if (tasks == null || tasks.isEmpty()) {
            throw new ConfigException("bitnet.tasks", "at least one of classify, extract, generate is needed");
        }
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(topics, "topics");
        requireText("group.id", groupId);
        requireText("bitnet.transactional.id.prefix", transactionalIdPrefix);
        requireRange("bitnet.retries.max", maxRetries, 0, 100);
        requirePositive("bitnet.shutdown.grace.ms", shutdownGrace);
        requirePositive("bitnet.revoke.grace.ms", revokeGrace);
        requirePositive("bitnet.commit.interval.ms", commitInterval);
        requirePositive("bitnet.poll.timeout.ms", pollTimeout);
        requireRange("bitnet.http.port", httpPort, -1, 65535);
        if (topicWait == null || topicWait.isNegative()) {
            throw new ConfigException("bitnet.topics.wait", "must be a duration >= 0");
        }
        Objects.requireNonNull(engine, "engine");
        kafka = Map.copyOf(kafka);
        try {
            ExactlyOnceSettings.refuseOverrides(kafka);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("kafka", e.getMessage());
        }
        serde = Map.copyOf(serde);
        if (!kafka.containsKey("bootstrap.servers")) {
            throw new ConfigException("bootstrap.servers", "missing (set bootstrap.servers, --bootstrap-servers or KAFKA_BOOTSTRAP_SERVERS)");
        }
        if (!serde.containsKey("schema.registry.url")) {
            throw new ConfigException("schema.registry.url", "missing (set schema.registry.url, --schema-registry-url or SCHEMA_REGISTRY_URL)");
        }
    }

    /** Where {@code WorkResult}s go (key = requestId). */
    public String resultsTopic() {
        return topics.workResults();
    }

    /** Where records that cannot be processed go: the pipeline's one dead-letter topic. */
    public String deadLetterTopic() {
        return topics.deadLetters();
    }

    /** Every topic this worker reads or writes: they must exist before it starts. */
    public List<String> usedTopics() {
        List<String> used = new java.util.ArrayList<>(subscribedTopics());
        used.add(resultsTopic());
        used.add(deadLetterTopic());
        used.addAll(finalResultsTopics());
        return used.stream().distinct().toList();
    }

    /** Where this worker may publish final results: the results topics of its tasks, none when publishing is off. */
    public List<String> finalResultsTopics() {
        return publishFinalResults ? tasks.stream().map(topics::results).distinct().toList() : List.of();
    }

    /** The transactional id of this instance: stable across restarts so the broker fences a zombie. */
    public String transactionalId() {
        return transactionalIdPrefix + "-" + instanceId;
    }

    /** Topics this worker subscribes to, in task order. */
    public List<String> subscribedTopics() {
        return tasks.stream().map(topics::work).distinct().toList();
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
     * The speculative reader's consumer, from the group consumer's properties ({@code groupConsumer}: the defaults
     * above plus {@link #kafka()}, so security settings carry over): no group and no offsets (it assigns the group
     * consumer's partitions itself and starts at their end), {@code read_uncommitted}, its own client id. It needs
     * READ on the work topics only, which the group consumer has.
     */
    public Map<String, Object> speculativeReaderProperties(Map<String, Object> groupConsumer) {
        Map<String, Object> properties = new java.util.HashMap<>(groupConsumer);
        List.of("group.id", "group.instance.id", "group.protocol", "group.remote.assignor", "partition.assignment.strategy",
                "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms").forEach(properties::remove);
        properties.put("enable.auto.commit", "false");
        properties.put("isolation.level", "read_uncommitted");
        properties.put("auto.offset.reset", "latest");
        properties.put("client.id", groupConsumer.getOrDefault("client.id", "bitnet-worker-" + instanceId) + "-speculative");
        return properties;
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
            throw new ConfigException(key, "must not be empty");
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key, "must be in [" + min + ", " + max + "], was " + value);
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigException(key, "must be a positive duration");
        }
    }

    /** Secrets (passwords, JAAS configs, registry user info) masked. */
    @Override
    public String toString() {
        return "WorkerConfig[instanceId=" + instanceId + ", model=" + model + ", threads=" + threads
                + ", maxBatchSize=" + maxBatchSize + ", queueCapacity=" + queueCapacity + ", maxMemoryMb=" + maxMemoryMb
                + ", tasks=" + tasks + ", topics=" + topics + ", groupId=" + groupId + ", transactionalIdPrefix="
                + transactionalIdPrefix + ", maxRetries=" + maxRetries + ", shutdownGrace=" + shutdownGrace
                + ", revokeGrace=" + revokeGrace + ", commitInterval=" + commitInterval + ", pollTimeout=" + pollTimeout
                + ", httpPort=" + httpPort + ", topicWait=" + topicWait + ", publishFinalResults=" + publishFinalResults
                + ", speculativeReads=" + speculativeReads + ", engine=" + engine
                + ", kafka=" + Secrets.masked(kafka) + ", serde=" + Secrets.masked(serde) + "]";
    }
}

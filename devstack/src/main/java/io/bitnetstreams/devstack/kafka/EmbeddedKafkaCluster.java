package io.bitnetstreams.devstack.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka cluster inside this JVM, on loopback with free ports, built on Kafka's own test
 * kit ({@code kafka-test-common-runtime}). The test-kit types stay hidden behind this class.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(KafkaClusterConfig.singleNode())) {
 *     kafka.createTopic("prompts", 3);
 *     new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer());
 * }
 * }</pre>
 *
 * Thread-safe for the client-side helpers; start/stop of brokers is meant for one test thread.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterConfig config;
    private final KafkaClusterTestKit kit;
    private final Path dataDir;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Admin admin;

    private EmbeddedKafkaCluster(KafkaClusterConfig config, KafkaClusterTestKit kit, Path dataDir) {
        this.config = config;
        this.kit = kit;
        this.dataDir = dataDir;
    }

    /** Starts a cluster and returns once every broker is registered, unfenced and serving. */
    public static EmbeddedKafkaCluster start(KafkaClusterConfig config) {
        long startNanos = System.nanoTime();
        KafkaClusterTestKit kit = buildTestKit(config);
        try {
            // Own thread, not the common pool: with 2 cores its single worker may be busy elsewhere.
            CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> startAndAwaitBrokers(kit),
                    task -> Thread.ofPlatform().daemon().name("embedded-kafka-startup").start(task));
            ready.get(config.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeQuietly(kit);
            throw new KafkaClusterException("the embedded Kafka cluster (" + config.brokers()
                    + " broker(s)) was not ready within " + config.startupTimeout(), e);
        } catch (ExecutionException e) {
            closeQuietly(kit);
            throw new KafkaClusterException("the embedded Kafka cluster failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(kit);
            throw new KafkaClusterException("interrupted while starting the embedded Kafka cluster", e);
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(config, kit, Path.of(kit.nodes().baseDirectory()));
        log.info("Embedded Kafka cluster with {} broker(s) ready at {} in {} ms (data in {})",
                config.brokers(), cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), cluster.dataDir);
        return cluster;
    }

    /** One combined broker+controller node in a temporary directory. */
    public static EmbeddedKafkaCluster startSingleNode() {
        return start(KafkaClusterConfig.singleNode());
    }

    public static KafkaClusterConfig.Builder builder() {
        return KafkaClusterConfig.builder();
    }

    private static KafkaClusterTestKit buildTestKit(KafkaClusterConfig config) {
        TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                .setCombined(config.combined())
                .setNumBrokerNodes(config.brokers())
                .setNumControllerNodes(config.combined() ? 1 : config.controllers())
                // The default is an unstable testing version that clients may not fully support.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction());
        config.dataDir().ifPresent(dir -> nodes.setBaseDirectory(prepareEmptyDir(dir)));
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
                .setDeleteOnClose(config.dataDir().isEmpty());
        serverProperties(config).forEach(builder::setConfigProp);
        try {
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            return kit;
        } catch (Exception e) {
            throw new KafkaClusterException("cannot prepare the embedded Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** Our defaults for a small fast cluster, then the caller's properties on top. */
    static Map<String, String> serverProperties(KafkaClusterConfig config) {
        int replicas = Math.min(3, config.brokers());
        Map<String, String> props = new HashMap<>();
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("offsets.topic.replication.factor", Integer.toString(replicas));
        props.put("offsets.topic.num.partitions", "5");
        // With the default factor 3 and min ISR 2, initTransactions() hangs on a single broker.
        props.put("transaction.state.log.replication.factor", Integer.toString(replicas));
        props.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, replicas)));
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
        props.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, replicas)));
        props.putAll(config.brokerProperties());
        return props;
    }

    private static Path prepareEmptyDir(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new KafkaClusterException("the Kafka data directory " + dir
                            + " is not empty; the embedded cluster always formats fresh storage");
                }
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new KafkaClusterException("cannot use " + dir + " as the Kafka data directory: " + e.getMessage(), e);
        }
    }

    private static void startAndAwaitBrokers(KafkaClusterTestKit kit) {
        try {
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (ExecutionException e) {
            throw new KafkaClusterException("a Kafka node failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while starting Kafka", e);
        }
    }

    public KafkaClusterConfig config() {
        return config;
    }

    /** {@code host:port,...} of every running broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Where the nodes keep their data. */
    public Path dataDir() {
        return dataDir;
    }

    /** The broker node ids, in ascending order. */
    public List<Integer> brokerIds() {
        return kit.brokers().keySet().stream().sorted().toList();
    }

    /** Client settings to reach the cluster (just the bootstrap servers). */
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** Producer settings: bootstrap servers, acks=all, idempotence on. Serializers are the caller's. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = adminConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }

    /** Settings for a transactional producer with the given transactional id. */
    public Map<String, Object> transactionalProducerConfig(String transactionalId) {
        Map<String, Object> config = producerConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return config;
    }

    /** Consumer settings: bootstrap servers, the group, reading from the earliest offset. */
    public Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> config = adminConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    /** Consumer settings that only see committed transactional records. */
    public Map<String, Object> readCommittedConsumerConfig(String groupId) {
        Map<String, Object> config = consumerConfig(groupId);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    /** A new admin client the caller closes. */
    public Admin createAdmin() {
        return Admin.create(adminConfig());
    }

    /** Creates a topic with replication factor 1 and waits until every partition's leader has opened its log. */
    public void createTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
    }

    /** Creates a topic and waits until every partition's leader has opened its log. */
    public void createTopic(String name, int partitions, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > config.brokers()) {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                    + " must be within 1.." + config.brokers() + " (the number of brokers)");
        }
        createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor)));
    }

    /** Creates topics and waits until every partition's leader has opened its log. */
    public void createTopics(Collection<NewTopic> topics) {
        ensureOpen();
        try {
            admin().createTopics(topics).all().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaClusterException("cannot create topics " + topicNames(topics) + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaClusterException("creating topics " + topicNames(topics) + " took over " + ADMIN_CALL_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while creating topics", e);
        }
        waitUntil(ADMIN_CALL_TIMEOUT, () -> allPartitionsReady(topicNames(topics)),
                "every partition of " + topicNames(topics) + " has a leader with its log");
    }

    /** Describes a topic (partitions, replicas, ISR). */
    public TopicDescription describeTopic(String name) {
        ensureOpen();
        try {
            return admin().describeTopics(List.of(name)).allTopicNames()
                    .get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaClusterException("cannot describe topic " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while describing topic " + name, e);
        }
    }

    /** Shuts one broker down cleanly; its data stays on disk. */
    public void stopBroker(int brokerId) {
        ensureOpen();
        BrokerServer broker = broker(brokerId);
        broker.shutdown();
        broker.awaitShutdown();
        unregister(brokerId);
        log.info("Embedded Kafka broker {} stopped", brokerId);
    }

    /**
     * Drops the stopped broker's registration at the controller. Otherwise its next start waits for
     * the old session to expire (broker.session.timeout.ms, 9 s) before the controller accepts it.
     */
    private void unregister(int brokerId) {
        try (Admin controllerAdmin = Admin.create(Map.of("bootstrap.controllers", kit.bootstrapControllers()))) {
            controllerAdmin.unregisterBroker(brokerId).all().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Could not unregister stopped broker {}; its restart waits for the session timeout: {}",
                    brokerId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while unregistering broker " + brokerId, e);
        }
    }

    /** Starts a stopped broker again on the same port and data, and waits until it serves. */
    public void startBroker(int brokerId) {
        ensureOpen();
        BrokerServer broker = broker(brokerId);
        broker.startup();
        waitUntil(config.startupTimeout(), () -> !broker.isShutdown() && aliveBrokerIds().contains(brokerId),
                "broker " + brokerId + " is running and registered");
        log.info("Embedded Kafka broker {} started again", brokerId);
    }

    /** {@link #stopBroker} then {@link #startBroker}. */
    public void restartBroker(int brokerId) {
        stopBroker(brokerId);
        startBroker(brokerId);
    }

    /** True when the broker has not been shut down (it may still be starting). */
    public boolean isBrokerRunning(int brokerId) {
        return !closed.get() && !broker(brokerId).isShutdown();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Stops every node and deletes a temporary data directory. Safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
        try {
            kit.close();
            log.info("Embedded Kafka cluster at {} closed", dataDir);
        } catch (Exception e) {
            throw new KafkaClusterException("the embedded Kafka cluster did not close cleanly: " + e, e);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = createAdmin();
        }
        return admin;
    }

    private BrokerServer broker(int brokerId) {
        BrokerServer broker = kit.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker with id " + brokerId + "; brokers are " + brokerIds());
        }
        return broker;
    }

    private List<Integer> aliveBrokerIds() {
        try {
            return admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).toList();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * Every partition has a leader, and the leader has opened the partition's log. Between the two, a producer with
     * several requests in flight can lose its first batch (KAFKA-15591, fixed in brokers from 4.5; see the topology's
     * {@code TopicProvisioner}), so a test that produces at once must not start before.
     */
    private boolean allPartitionsReady(List<String> topics) {
        try {
            Map<String, TopicDescription> descriptions = admin().describeTopics(topics).allTopicNames()
                    .get(5, TimeUnit.SECONDS);
            List<TopicPartitionReplica> leaders = new ArrayList<>();
            for (TopicDescription description : descriptions.values()) {
                for (var partition : description.partitions()) {
                    if (partition.leader() == null || partition.leader().isEmpty()) {
                        return false;
                    }
                    leaders.add(new TopicPartitionReplica(description.name(), partition.partition(),
                            partition.leader().id()));
                }
            }
            return admin().describeReplicaLogDirs(leaders).all().get(5, TimeUnit.SECONDS).values().stream()
                    .allMatch(log -> log.getCurrentReplicaLogDir() != null);
        } catch (ExecutionException | TimeoutException e) {
            return false; // metadata not propagated yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the embedded Kafka cluster is closed");
        }
    }

    private static List<String> topicNames(Collection<NewTopic> topics) {
        List<String> names = new ArrayList<>();
        topics.forEach(topic -> names.add(topic.name()));
        return names;
    }

    private static void waitUntil(Duration timeout, BooleanSupplier condition, String what) {
        try {
            Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL)
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new KafkaClusterException("timed out after " + timeout + " waiting until " + what, e);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit kit) {
        try {
            kit.close();
        } catch (Exception e) {
            log.warn("Closing a Kafka cluster that failed to start also failed", e);
        }
    }

    /** The partitions' in-sync replica count of a topic, a small convenience for tests. */
    public Optional<Integer> minInSyncReplicas(String topic) {
        return describeTopic(topic).partitions().stream().map(p -> p.isr().size()).min(Integer::compare);
    }
}

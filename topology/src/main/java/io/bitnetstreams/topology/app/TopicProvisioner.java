package io.bitnetstreams.topology.app;

import io.bitnetstreams.schemas.clients.ClusterFailures;
import io.bitnetstreams.topology.TopologyForm;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeReplicaLogDirsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics that are missing (the pipeline's topics and the topology's repartition topics, with
 * {@code bitnet.topics.partitions} partitions), checks that the repartition topics are co-partitioned, and decides
 * the {@link TopologyForm} from the partition counts of the inputs.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private static final long METADATA_RETRY_PAUSE_MS = 100;

    private TopicProvisioner() {}

    /**
     * Fails fast with a {@link StartupException} when the cluster does not answer within {@code timeout}. Returns the
     * form to build: an input is read directly when it has as many partitions as the repartition topics.
     */
    public static TopologyForm ensureTopics(TopologyConfig config, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig(config, timeout))) {
            long millis = timeout.toMillis();
            try {
                // longer than the admin's own timeout: only its failure names the cause (SASL, TLS)
                admin.describeCluster().nodes().get(millis + 30_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new StartupException(ClusterFailures.describe(config.bootstrapServers(), e), e);
            }
            Set<String> existing = admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS);
            List<String> wanted = new ArrayList<>(config.topics().all());
            wanted.addAll(config.repartitionTopics().all());
            if (!config.typedExtractionTopic().isEmpty()) {
                wanted.add(config.typedExtractionTopic());
            }
            List<NewTopic> missing = wanted.stream().filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, config.partitions(), config.replicationFactor())).toList();
            if (!missing.isEmpty()) {
                LOG.info("creating topics {}", missing.stream().map(NewTopic::name).toList());
                try {
                    admin.createTopics(missing).all().get(millis, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another instance creating them at the same moment is fine
                    }
                }
                awaitLeaderLogs(admin, missing.stream().map(NewTopic::name).toList(), millis);
            }
            int statePartitions = requireCopartitioned(admin, config.repartitionTopics().all(), millis);
            Map<String, TopicDescription> inputs = describeOnceKnown(admin,
                    List.of(config.topics().requests(), config.topics().workResults()), millis);
            TopologyForm form = TopologyForm.of(config.directInputs(), statePartitions,
                    inputs.get(config.topics().requests()).partitions().size(),
                    inputs.get(config.topics().workResults()).partitions().size());
            LOG.info("topology form: {} ({} set to {})", form, TopologyConfig.DIRECT_INPUTS, config.directInputs());
            return form;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while preparing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot prepare topics: " + ClusterFailures.describe(config.bootstrapServers(), e), e);
        }
    }

    /** Admin client settings: the Kafka client keys of the configuration, with {@code timeout} for every call. */
    static Map<String, Object> adminConfig(TopologyConfig config, Duration timeout) {
        Map<String, Object> adminConfig = new java.util.HashMap<>(config.passthrough());
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // a refused login or handshake stays the answer (see TopicCheck)
        adminConfig.putIfAbsent(AdminClientConfig.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        return adminConfig;
    }

    /**
     * Describes topics that were just created. The controller acknowledges a creation before every broker has the new
     * metadata, so the broker asked may still answer "unknown topic" for a moment: ask again until {@code millis}.
     */
    private static Map<String, TopicDescription> describeOnceKnown(Admin admin, List<String> topics, long millis)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(millis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.debug("topics {} not yet known to every broker, asking again", topics);
                Thread.sleep(METADATA_RETRY_PAUSE_MS);
            }
        }
    }

    /**
     * Waits until the leader of every partition of {@code topics} has created its log. The brokers apply a new topic a
     * moment after the controller confirms it, and in between a broker can already name itself leader in its metadata
     * while it has no log yet, so a produce fails with NOT_LEADER_OR_FOLLOWER and is retried. An idempotent producer
     * with several requests in flight (any client's default) can then have a later request appended first; the
     * retried one is refused as out of order until {@code delivery.timeout.ms} drops its records (KAFKA-15591, fixed
     * in brokers from 4.5). Whoever sends right after the topology started (the standalone run, the load test, a test)
     * would lose them. Without DESCRIBE on the cluster (which describing log directories needs) it does not wait.
     */
    static void awaitLeaderLogs(Admin admin, List<String> topics, long millis)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long waiting;
            try {
                waiting = partitionsWithoutLeaderLog(admin, topics, millis);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ClusterAuthorizationException) {
                    LOG.info("not waiting for the new partitions' logs: describing log directories needs DESCRIBE on"
                            + " the cluster; a producer that starts at once may see a few retries");
                    return;
                }
                throw e;
            }
            if (waiting == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(waiting + " new partitions have no leader or no log on it after " + millis + " ms");
            }
            LOG.debug("{} new partitions have no leader or no log on it yet, asking again", waiting);
            Thread.sleep(METADATA_RETRY_PAUSE_MS);
        }
    }

    /** How many partitions of {@code topics} have no leader yet, or a leader without the partition's log. */
    private static long partitionsWithoutLeaderLog(Admin admin, List<String> topics, long millis)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<TopicPartitionReplica> leaders = new ArrayList<>();
        long leaderless = 0;
        for (TopicDescription topic : describeOnceKnown(admin, topics, millis).values()) {
            for (var partition : topic.partitions()) {
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    leaderless++;
                } else {
                    leaders.add(new TopicPartitionReplica(topic.name(), partition.partition(), partition.leader().id()));
                }
            }
        }
        Map<TopicPartitionReplica, DescribeReplicaLogDirsResult.ReplicaLogDirInfo> logs =
                admin.describeReplicaLogDirs(leaders).all().get(millis, TimeUnit.MILLISECONDS);
        return leaderless + logs.values().stream().filter(info -> info.getCurrentReplicaLogDir() == null).count();
    }

    /**
     * Requests and work results meet in the same state only when the topology's two repartition topics have the same
     * partition count (the input topics may have any). They differ only when someone created them by hand. Returns
     * that count.
     */
    private static int requireCopartitioned(Admin admin, List<String> repartitionTopics, long millis)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> described = describeOnceKnown(admin, repartitionTopics, millis);
        Map<String, Integer> counts = new TreeMap<>();
        described.forEach((name, description) -> counts.put(name, description.partitions().size()));
        if (counts.values().stream().distinct().count() > 1) {
            throw new StartupException("the repartition topics must have the same partition count, request state is"
                    + " shared by request id: " + counts, null);
        }
        return counts.values().iterator().next();
    }
}

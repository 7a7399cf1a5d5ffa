package io.bitnetstreams.topology.app;

import io.bitnetstreams.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics that are missing, and checks that the two inputs can be co-partitioned. */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {}

    /** Fails fast with a {@link StartupException} when the cluster does not answer within {@code timeout}. */
    public static void ensureTopics(TopologyConfig config, Duration timeout) {
        Map<String, Object> adminConfig = new java.util.HashMap<>(config.passthrough());
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin admin = Admin.create(adminConfig)) {
            long millis = timeout.toMillis();
            try {
                admin.describeCluster().nodes().get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new StartupException("Kafka cluster at " + config.bootstrapServers() + " is unreachable ("
                        + e + ")", e);
            }
            Set<String> existing = admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = config.topics().all().stream().filter(name -> !existing.contains(name))
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
            }
            var inputs = List.of(config.topics().requests(), config.topics().workResults());
            Map<String, TopicDescription> described = admin.describeTopics(inputs).allTopicNames()
                    .get(millis, TimeUnit.MILLISECONDS);
            int requests = described.get(config.topics().requests()).partitions().size();
            int results = described.get(config.topics().workResults()).partitions().size();
            if (requests != results) {
                throw new StartupException("topics " + config.topics().requests() + " (" + requests + " partitions) and "
                        + config.topics().workResults() + " (" + results + ") must have the same partition count:"
                        + " request state is shared by request id", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while preparing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot prepare topics on " + config.bootstrapServers() + ": " + e, e);
        }
    }
}

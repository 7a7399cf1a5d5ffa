package io.bitnetstreams.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeReplicaLogDirsResult.ReplicaLogDirInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionReplica;
import org.junit.jupiter.api.Test;

/**
 * Topics the topology creates are ready for producers when it has started: a producer that sends at once must not
 * meet a partition whose leader has no log yet (with several requests in flight an idempotent producer can then lose
 * records on a 4.3 broker, KAFKA-15591).
 */
@WithKafka
class TopicProvisionerIT {

    /** Enough partitions that the broker is still creating logs when the controller has long confirmed the topics. */
    private static final int PARTITIONS = 64;

    @Test
    void everyCreatedPartitionHasItsLogOnItsLeaderWhenTopicsAreEnsured(EmbeddedKafkaCluster kafka) throws Exception {
        String suffix = Long.toString(System.nanoTime());
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", "http://localhost:1",
                "bitnet.application.id", "provisioner-" + suffix,
                "bitnet.topics.partitions", Integer.toString(PARTITIONS)));
        for (String key : List.of(TopicNames.REQUESTS, TopicNames.DEAD_LETTERS, TopicNames.WORK_CLASSIFY,
                TopicNames.WORK_EXTRACT, TopicNames.WORK_GENERATE, TopicNames.WORK_RESULTS,
                TopicNames.CLASSIFICATION_RESULTS, TopicNames.EXTRACTION_RESULTS, TopicNames.GENERATION_RESULTS)) {
            settings.put(key, key.substring("bitnet.topic.".length()) + "-" + suffix);
        }
        TopologyConfig config = TopologyConfig.fromMap(settings);
        List<String> topics = new ArrayList<>(config.topics().all());
        topics.addAll(config.repartitionTopics().all());

        TopicProvisioner.ensureTopics(config, Duration.ofSeconds(60));

        try (Admin admin = kafka.createAdmin()) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            List<TopicPartitionReplica> leaders = new ArrayList<>();
            described.values().forEach(topic -> topic.partitions().forEach(partition -> leaders.add(
                    new TopicPartitionReplica(topic.name(), partition.partition(), partition.leader().id()))));
            assertThat(leaders).hasSize(topics.size() * PARTITIONS);
            Map<TopicPartitionReplica, ReplicaLogDirInfo> logs = admin.describeReplicaLogDirs(leaders).all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(logs.entrySet()).as("partitions whose leader has no log yet")
                    .filteredOn(entry -> entry.getValue().getCurrentReplicaLogDir() == null).isEmpty();
        }
    }
}

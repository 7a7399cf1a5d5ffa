package io.bitnetstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerRestartIT {

    @Test
    void restartedBrokerKeepsItsDataAndPort(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        EmbeddedKafkaCluster kafka = KafkaClusterConfig.builder().dataDir(dataDir).start();
        try (kafka) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("kept", 1);
            try (var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kept", "k", "before-restart")).get(30, TimeUnit.SECONDS);
            }
            int brokerId = kafka.brokerIds().getFirst();

            kafka.stopBroker(brokerId);
            assertThat(kafka.isBrokerRunning(brokerId)).isFalse();
            kafka.startBroker(brokerId);

            assertThat(kafka.isBrokerRunning(brokerId)).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            List<String> values = EmbeddedKafkaClusterIT.consume(kafka, kafka.consumerConfig("after-restart"), "kept", 1);
            assertThat(values).containsExactly("before-restart");
        }
        kafka.close(); // a second close is a no-op, unlike the test kit's
        assertThat(kafka.isClosed()).isTrue();
        assertThat(dataDir).as("a given data directory is kept").isDirectory();
        try (var entries = Files.list(dataDir)) {
            assertThat(entries).isNotEmpty();
        }
        assertThatThrownBy(() -> kafka.createTopic("late", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void clusterWithAStoppedBrokerStillClosesCleanly() {
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode();
        Path dataDir = kafka.dataDir();
        kafka.stopBroker(kafka.brokerIds().getFirst());
        kafka.close();
        assertThat(kafka.isClosed()).isTrue();
        assertThat(dataDir).as("a temporary data directory is deleted").doesNotExist();
    }

    @Test
    void unknownBrokerIdIsNamed() {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode()) {
            assertThatThrownBy(() -> kafka.stopBroker(42))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("42");
        }
    }

    @Test
    void nonEmptyDataDirectoryIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("leftover"), "x");
        assertThatThrownBy(() -> KafkaClusterConfig.builder().dataDir(dir).start())
                .isInstanceOf(KafkaClusterException.class)
                .hasMessageContaining("not empty");
    }
}

package io.bitnetstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaClusterConfigTest {

    @Test
    void singleNodeIsCombinedWithATemporaryDirectory() {
        KafkaClusterConfig config = KafkaClusterConfig.singleNode();
        assertThat(config.combined()).isTrue();
        assertThat(config.brokers()).isEqualTo(1);
        assertThat(config.dataDir()).isEmpty();
    }

    @Test
    void multiBrokerClustersUseSeparateControllers() {
        assertThat(KafkaClusterConfig.builder().brokers(3).build().combined()).isFalse();
    }

    @Test
    void outOfRangeCountsAreRejected() {
        assertThatThrownBy(() -> KafkaClusterConfig.builder().brokers(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brokers");
        assertThatThrownBy(() -> KafkaClusterConfig.builder().brokers(KafkaClusterConfig.MAX_BROKERS + 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brokers");
        assertThatThrownBy(() -> KafkaClusterConfig.builder().brokers(3).controllers(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("controllers");
        assertThatThrownBy(() -> KafkaClusterConfig.builder().controllers(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("combined");
        assertThatThrownBy(() -> KafkaClusterConfig.builder().startupTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startupTimeout");
    }

    @Test
    void singleBrokerGetsInternalTopicsItCanHost() {
        var props = EmbeddedKafkaCluster.serverProperties(KafkaClusterConfig.singleNode());
        assertThat(props)
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
    }

    @Test
    void threeBrokersKeepReplicatedInternalTopics() {
        var props = EmbeddedKafkaCluster.serverProperties(KafkaClusterConfig.builder().brokers(3).build());
        assertThat(props)
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void callerPropertiesOverrideDefaults() {
        var config = KafkaClusterConfig.builder()
                .brokerProperty("group.initial.rebalance.delay.ms", "500")
                .brokerProperty("log.retention.ms", "1000")
                .build();
        assertThat(EmbeddedKafkaCluster.serverProperties(config))
                .containsEntry("group.initial.rebalance.delay.ms", "500")
                .containsEntry("log.retention.ms", "1000");
    }
}

package io.bitnetstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.devstack.junit.WithKafka;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WithKafka(brokers = 3)
class MultiBrokerClusterIT {

    @Test
    void replicatedTopicHasAllReplicasInSync(EmbeddedKafkaCluster kafka) throws Exception {
        assertThat(kafka.brokerIds()).hasSize(3);
        kafka.createTopic("replicated", 2, 3);

        TopicDescription description = kafka.describeTopic("replicated");
        assertThat(description.partitions()).hasSize(2);
        for (TopicPartitionInfo partition : description.partitions()) {
            assertThat(partition.replicas()).hasSize(3);
        }
        assertThat(kafka.minInSyncReplicas("replicated")).contains(3);

        try (var producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("replicated", "k", "v")).get(30, TimeUnit.SECONDS);
        }
        assertThat(EmbeddedKafkaClusterIT.consume(kafka, kafka.consumerConfig("multi"), "replicated", 1))
                .isEqualTo(List.of("v"));
    }
}

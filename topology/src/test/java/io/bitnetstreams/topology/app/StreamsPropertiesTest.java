package io.bitnetstreams.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.topology.config.TopologyConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {

    private static final HostInfo SELF = new HostInfo("localhost", 8080);

    @Test
    void commitsEveryFiftyMillisecondsPollsEveryTenMillisecondsAndRetriesTransactionsSoonByDefault() {
        Properties properties = TopologyApp.streamsProperties(TopologyConfig.defaults("localhost:9092", "http://registry"), SELF);
        // Streams' exactly-once defaults (100 ms each) would add up to ~200 ms to each of a request's four hops; a lone
        // record does not wait for the interval (CommitPacer), a burst is committed every 50 ms
        assertThat(properties).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50").containsEntry(StreamsConfig.POLL_MS_CONFIG, "10");
        StreamsConfig effective = new StreamsConfig(properties);
        assertThat(effective.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
        assertThat(effective.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(10L);
        assertThat(effective.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        // the producer Streams builds: a transaction that starts while the last one's markers are still being written
        // retries after 5 ms, not the client default of 100 ms
        Map<String, Object> producer = effective.getProducerConfigs("client");
        assertThat(producer).containsEntry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "5");
    }

    @Test
    void theProducersRetryBackOffIsTheUsersToChooseToo() {
        TopologyConfig config = TopologyConfig.fromMap(Map.of("bootstrap.servers", "localhost:9092", "schema.registry.url",
                "http://registry", "producer.retry.backoff.ms", "50"));
        Map<String, Object> producer = new StreamsConfig(TopologyApp.streamsProperties(config, SELF)).getProducerConfigs("client");
        assertThat(producer).containsEntry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
    }

    @Test
    void theUsersSettingsWin() {
        TopologyConfig config = TopologyConfig.fromMap(Map.of("bootstrap.servers", "localhost:9092", "schema.registry.url",
                "http://registry", "commit.interval.ms", "250", "poll.ms", "50"));
        Properties properties = TopologyApp.streamsProperties(config, SELF);
        assertThat(properties).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250").containsEntry(StreamsConfig.POLL_MS_CONFIG, "50");
        assertThat(properties).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    }
}

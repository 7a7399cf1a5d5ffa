package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.RegistryClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyConfigTest {

    @Test
    void fileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("topology.properties");
        Files.writeString(file, """
                bootstrap.servers=file:9092
                schema.registry.url=http://file:8081
                bitnet.chunk.tokens=512
                bitnet.topic.requests=in.file
                bitnet.dedupe.window=2h
                linger.ms=5
                """);
        var config = TopologyConfig.load(file, Map.of("BITNET_CHUNK_TOKENS", "256", "PATH", "/bin"),
                Map.of("bootstrap.servers", "cli:9092"));
        assertThat(config.chunkTokens()).isEqualTo(256);
        assertThat(config.bootstrapServers()).isEqualTo("cli:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("http://file:8081");
        assertThat(config.topics().requests()).isEqualTo("in.file");
        assertThat(config.topics().deadLetters()).isEqualTo("bitnet.dlq");
        assertThat(config.dedupeWindow()).isEqualTo(Duration.ofHours(2));
        assertThat(config.passthrough()).containsEntry("linger.ms", "5").doesNotContainKey("bitnet.chunk.tokens");
    }

    @Test
    void registryRetryAndTimeoutSettingsReachTheTopologysSerdes() {
        // Issue 15: bitnet.schema.registry.* used to be dropped before the serdes were built.
        var config = TopologyConfig.load(null, Map.of("BITNET_SCHEMA_REGISTRY_MAX_RETRIES", "1"), Map.of(
                "bootstrap.servers", "b:9092", "schema.registry.url", "http://r:8081",
                "bitnet.schema.registry.request.timeout.ms", "1234", "bitnet.schema.registry.retry.backoff.ms", "7",
                "bitnet.schema.registry.retry.backoff.max.ms", "70"));
        RegistryClientConfig registry = SerdeConfig.parse(config.serdeConfig()).registry();
        assertThat(registry.retry().maxRetries()).isEqualTo(1);
        assertThat(registry.retry().initialBackoff()).isEqualTo(Duration.ofMillis(7));
        assertThat(registry.retry().maxBackoff()).isEqualTo(Duration.ofMillis(70));
        assertThat(registry.requestTimeout()).isEqualTo(Duration.ofMillis(1234));
    }

    @Test
    void defaultsMatchTheIssue() {
        var config = TopologyConfig.defaults("b:9092", "http://r:8081");
        assertThat(config.dedupeWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(config.chunkTokens()).isEqualTo(1024);
        assertThat(config.chunkOverlap()).isEqualTo(64);
        assertThat(config.topics().all()).contains("bitnet.requests", "bitnet.dlq", "bitnet.work.classify",
                "bitnet.work.extract", "bitnet.work.generate", "bitnet.work.results", "bitnet.results.classification",
                "bitnet.results.extraction", "bitnet.results.generation");
    }

    @Test
    void errorsNameTheKey() {
        Map<String, String> base = Map.of("bootstrap.servers", "b:1", "schema.registry.url", "http://r:1");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), merge(base, "bitnet.chunk.tokens", "lots")))
                .hasMessageContaining("bitnet.chunk.tokens");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), merge(base, "bitnet.chunk.overlap", "900")))
                .hasMessageContaining("bitnet.chunk.overlap");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), merge(base, "bitnet.dedupe.window", "3 weeks")))
                .hasMessageContaining("bitnet.dedupe.window");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), merge(base, "bitnet.topic.dlq", "bitnet.requests")))
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), Map.of("bootstrap.servers", "b:1")))
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void misspelledKeysAreRejectedNotIgnored() {
        Map<String, String> base = Map.of("bootstrap.servers", "b:1", "schema.registry.url", "http://r:1");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of(), merge(base, "bitnet.chunk.token", "256")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.chunk.token"))
                .hasMessageContaining("did you mean 'bitnet.chunk.tokens'");
        assertThatThrownBy(() -> TopologyConfig.load(null, Map.of("BITNET_CHUNK_TOKEN", "256"), base))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.chunk.token"));
        // every key the topology reads is declared: the optional typed extraction topic included
        assertThat(TopologyConfig.load(null, Map.of("BITNET_TOPIC_RESULTS_EXTRACTION_TYPED", "typed"), base)
                .typedExtractionTopic()).isEqualTo("typed");
    }

    @Test
    void clusterSettingsComeFromTheEnvironmentLikeEveryPart() {
        var config = TopologyConfig.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "SCHEMA_REGISTRY_URL", "http://env:8081", "KAFKA_SASL_JAAS_CONFIG", "x password=\"hunter2\";",
                "BITNET_TOPIC_DLQ", "shared.dlq"), Map.of());
        assertThat(config.bootstrapServers()).isEqualTo("env:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("http://env:8081");
        assertThat(config.passthrough()).containsEntry("sasl.jaas.config", "x password=\"hunter2\";");
        assertThat(config.topics().deadLetters()).isEqualTo("shared.dlq");
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    private static Map<String, String> merge(Map<String, String> base, String key, String value) {
        var map = new java.util.HashMap<>(base);
        map.put(key, value);
        return map;
    }

    @Test
    void settingsThatWouldBreakExactlyOnceAreRefusedAtStart() {
        var settings = new java.util.HashMap<>(java.util.Map.of("bootstrap.servers", "b:9092",
                "schema.registry.url", "http://r:8081"));
        settings.put("consumer.isolation.level", "read_uncommitted");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopologyConfig.fromMap(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("consumer.isolation.level=read_uncommitted")
                .hasMessageContaining("exactly-once");
        settings.remove("consumer.isolation.level");
        settings.put("processing.guarantee", "at_least_once");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopologyConfig.fromMap(settings))
                .hasMessageContaining("processing.guarantee=at_least_once");
    }
}

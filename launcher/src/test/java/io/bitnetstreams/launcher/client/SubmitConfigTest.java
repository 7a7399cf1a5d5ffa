package io.bitnetstreams.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitConfigTest {

    @Test
    void clusterTopicsAndSecretsComeFromTheOneLoader() {
        SubmitConfig config = SubmitConfig.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "SCHEMA_REGISTRY_URL", "http://env:8081", "KAFKA_SASL_JAAS_CONFIG", "x password=\"hunter2\";",
                "BITNET_TOPIC_REQUESTS", "in"), Map.of("bootstrap.servers", "cli:9092"));
        assertThat(config.clients()).containsEntry("bootstrap.servers", "cli:9092")
                .containsEntry("sasl.jaas.config", "x password=\"hunter2\";").doesNotContainKey("schema.registry.url");
        assertThat(config.serde()).containsEntry("schema.registry.url", "http://env:8081");
        assertThat(config.topics().requests()).isEqualTo("in");
        assertThat(config.topics().deadLetters()).isEqualTo(TopicNames.DEFAULTS.deadLetters());
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    @Test
    void unknownBitnetKeysAndMissingClusterAreNamed() {
        Map<String, String> cluster = Map.of("bootstrap.servers", "b:1", "schema.registry.url", "http://r:1");
        assertThatThrownBy(() -> SubmitConfig.load(null, Map.of("BITNET_CHUNK_TOKENS", "5"), cluster))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.chunk.tokens"));
        assertThatThrownBy(() -> SubmitConfig.load(null, Map.of(), Map.of("bootstrap.servers", "b:1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("schema.registry.url"));
    }
}

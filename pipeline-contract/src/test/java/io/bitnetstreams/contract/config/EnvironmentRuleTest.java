package io.bitnetstreams.contract.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentRuleTest {

    @Test
    void threePrefixesOneRule() {
        assertThat(EnvironmentRule.keyOf("BITNET_CHUNK_TOKENS")).contains("bitnet.chunk.tokens");
        assertThat(EnvironmentRule.keyOf("BITNET_TOPIC_DLQ")).contains("bitnet.topic.dlq");
        assertThat(EnvironmentRule.keyOf("KAFKA_SASL_JAAS_CONFIG")).contains("sasl.jaas.config");
        assertThat(EnvironmentRule.keyOf("KAFKA_BOOTSTRAP_SERVERS")).contains("bootstrap.servers");
        assertThat(EnvironmentRule.keyOf("KAFKA_BASIC_AUTH_USER_INFO")).contains("basic.auth.user.info");
        assertThat(EnvironmentRule.keyOf("SCHEMA_REGISTRY_URL")).contains("schema.registry.url");
        assertThat(EnvironmentRule.keyOf("SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION"))
                .contains("schema.registry.ssl.truststore.location");
    }

    @Test
    void doubleAndTripleUnderscoresSpellUnderscoresAndDashes() {
        assertThat(EnvironmentRule.keyOf("KAFKA_SOME__KEY")).contains("some_key");
        assertThat(EnvironmentRule.keyOf("KAFKA_SOME___KEY_X")).contains("some-key.x");
    }

    @Test
    void variablesThatAreNotConfigurationAreIgnored() {
        for (String name : new String[] {"BITNET_JAVA_OPTS", "BITNET_CONFIG", "BITNET_LOG_LEVEL", "BITNET_CACHE_DIR",
                "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "PATH", "HOSTNAME", "BITNET_", "KAFKA_",
                // Kubernetes service links of Services named kafka and schema-registry
                "KAFKA_PORT", "KAFKA_SERVICE_HOST", "KAFKA_SERVICE_PORT", "KAFKA_SERVICE_PORT_BROKER",
                "KAFKA_PORT_9092_TCP", "KAFKA_PORT_9092_TCP_ADDR", "SCHEMA_REGISTRY_PORT_8081_TCP_PROTO",
                "SCHEMA_REGISTRY_SERVICE_HOST"}) {
            assertThat(EnvironmentRule.keyOf(name)).as(name).isEmpty();
        }
    }

    @Test
    void variableOfIsTheInverse() {
        for (String key : new String[] {"bitnet.chunk.tokens", "sasl.jaas.config", "schema.registry.url", "some_key",
                "some-key.x", "basic.auth.user.info"}) {
            assertThat(EnvironmentRule.keyOf(EnvironmentRule.variableOf(key))).as(key).contains(key);
        }
        assertThat(EnvironmentRule.variableOf("bitnet.chunk.tokens")).isEqualTo("BITNET_CHUNK_TOKENS");
        assertThat(EnvironmentRule.variableOf("sasl.jaas.config")).isEqualTo("KAFKA_SASL_JAAS_CONFIG");
        assertThat(EnvironmentRule.variableOf("schema.registry.url")).isEqualTo("SCHEMA_REGISTRY_URL");
    }

    @Test
    void configOfKeepsOnlyConfiguration() {
        assertThat(EnvironmentRule.configOf(Map.of("BITNET_CHUNK_TOKENS", "5", "PATH", "/bin", "BITNET_JAVA_OPTS", "-X",
                "SCHEMA_REGISTRY_URL", "http://r"))).containsExactly(
                Map.entry("bitnet.chunk.tokens", "5"), Map.entry("schema.registry.url", "http://r"));
    }
}

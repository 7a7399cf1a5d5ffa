package io.bitnetstreams.contract.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void secretKeysAreRecognised() {
        for (String key : new String[] {"sasl.jaas.config", "ssl.keystore.password", "ssl.truststore.password",
                "ssl.key.password", "basic.auth.user.info", "schema.registry.basic.auth.user.info",
                "sasl.oauthbearer.client.credentials.client.secret", "ssl.keystore.key",
                "schema.registry.ssl.keystore.password"}) {
            assertThat(Secrets.isSecret(key)).as(key).isTrue();
        }
        for (String key : new String[] {"bootstrap.servers", "bitnet.chunk.tokens", "sasl.mechanism",
                "ssl.truststore.location", "schema.registry.url", "basic.auth.credentials.source"}) {
            assertThat(Secrets.isSecret(key)).as(key).isFalse();
        }
    }

    @Test
    void maskedKeepsOtherValuesAndHidesUserInfoInUrls() {
        assertThat(Secrets.masked(Map.of("ssl.key.password", "p", "linger.ms", 5,
                "schema.registry.url", "http://u:p@a:1,https://b:2")))
                .containsEntry("ssl.key.password", Secrets.MASK).containsEntry("linger.ms", "5")
                .containsEntry("schema.registry.url", "http://" + Secrets.MASK + "@a:1,https://b:2");
    }
}

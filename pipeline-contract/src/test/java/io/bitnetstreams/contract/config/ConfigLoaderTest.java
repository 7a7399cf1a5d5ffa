package io.bitnetstreams.contract.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final KnownKeys KEYS = KnownKeys.of("test", Set.of("bitnet.chunk.tokens", "bitnet.dedupe.window",
            "bitnet.http.port", "bitnet.name"), KnownKeys.SERDE);

    @Test
    void fileThenEnvironmentThenOverridesLaterWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, """
                bitnet.chunk.tokens=512
                bitnet.dedupe.window=2h
                bitnet.name=from-file
                bootstrap.servers=file:9092
                linger.ms=5
                """);
        Map<String, String> env = Map.of("BITNET_CHUNK_TOKENS", "256", "BITNET_NAME", "from-env",
                "KAFKA_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/bin", "HOME", "/root");
        ConfigValues values = ConfigLoader.load(KEYS, file, env, Map.of("bitnet.name", "from-option"));

        assertThat(values.integer("bitnet.chunk.tokens", 0)).isEqualTo(256);         // env over file
        assertThat(values.text("bitnet.name", null)).isEqualTo("from-option");        // overrides over env
        assertThat(values.duration("bitnet.dedupe.window", null)).isEqualTo(Duration.ofHours(2)); // file alone
        assertThat(values.integer("bitnet.http.port", 8080)).isEqualTo(8080);         // default
        assertThat(values.passthrough()).containsExactlyInAnyOrderEntriesOf(
                Map.of("bootstrap.servers", "env:9092", "linger.ms", "5"));
    }

    @Test
    void theFileCanBeNamedByBitnetConfigAndAnEmptyValueUnsetsAKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("from-env.properties");
        Files.writeString(file, "bitnet.name=named-by-env\nlinger.ms=5\n");
        ConfigValues values = ConfigLoader.load(KEYS, null, Map.of("BITNET_CONFIG", file.toString()),
                Map.of("linger.ms", ""));
        assertThat(values.text("bitnet.name", null)).isEqualTo("named-by-env");
        assertThat(values.passthrough()).doesNotContainKey("linger.ms");
        // an explicit file wins over BITNET_CONFIG
        Path other = dir.resolve("explicit.properties");
        Files.writeString(other, "bitnet.name=explicit\n");
        assertThat(ConfigLoader.load(KEYS, other, Map.of("BITNET_CONFIG", file.toString()), Map.of())
                .text("bitnet.name", null)).isEqualTo("explicit");
    }

    @Test
    void anUnreadableFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(KEYS, dir.resolve("absent.properties"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("absent.properties");
    }

    @Test
    void passthroughKeysAndValuesAreKeptVerbatim() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a.b\" password=\"p_w-d\";";
        Map<String, String> overrides = new HashMap<>();
        overrides.put("sasl.jaas.config", jaas);
        overrides.put("security.protocol", "SASL_SSL");
        overrides.put("some.custom.Plugin.Key", "MixedCase Value");
        overrides.put("schema.registry.url", "http://r:8081");
        overrides.put("bitnet.schema.registry.max.retries", "3");
        ConfigValues values = ConfigLoader.load(KEYS, null, Map.of("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), overrides);

        assertThat(values.passthrough()).containsEntry("sasl.jaas.config", jaas)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("some.custom.Plugin.Key", "MixedCase Value")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKey("bitnet.schema.registry.max.retries");
        assertThat(values.clientConfig()).containsEntry("sasl.jaas.config", jaas).doesNotContainKey("schema.registry.url");
        assertThat(values.serdeConfig()).containsEntry("schema.registry.url", "http://r:8081")
                .containsEntry("bitnet.schema.registry.max.retries", "3");
    }

    @Test
    void unknownBitnetKeysAreRejectedFromEverySourceNamingTheKey(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(KEYS, null, Map.of(), Map.of("bitnet.chunk.tokenz", "5")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.chunk.tokenz"))
                .hasMessageContaining("did you mean 'bitnet.chunk.tokens'");
        assertThatThrownBy(() -> ConfigLoader.load(KEYS, null, Map.of("BITNET_NO_SUCH_THING", "1"), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.no.such.thing"))
                .hasMessageNotContaining("did you mean");
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "bitnet.http.prot=1\n");
        assertThatThrownBy(() -> ConfigLoader.load(KEYS, file, Map.of(), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.http.prot"))
                .hasMessageContaining("did you mean 'bitnet.http.port'");
    }

    @Test
    void formerSpellingsNameTheCurrentKey() {
        KnownKeys renamed = KEYS.withRenamed(Map.of("name", "bitnet.name", "kafka.", ""));
        assertThatThrownBy(() -> ConfigValues.of(renamed, Map.of("name", "x")))
                .hasMessageContaining("'bitnet.name'").hasMessageContaining("BITNET_NAME");
        assertThatThrownBy(() -> ConfigValues.of(renamed, Map.of("kafka.linger.ms", "5")))
                .hasMessageContaining("'linger.ms'").hasMessageContaining("KAFKA_LINGER_MS");
        assertThat(ConfigValues.of(renamed, Map.of("linger.ms", "5")).passthrough()).containsEntry("linger.ms", "5");
    }

    @Test
    void typedReadsNameTheKey() {
        ConfigValues values = ConfigValues.of(KEYS, Map.of("bitnet.chunk.tokens", "lots", "bitnet.dedupe.window", "3 weeks"));
        assertThatThrownBy(() -> values.integer("bitnet.chunk.tokens", 1)).hasMessageContaining("bitnet.chunk.tokens");
        assertThatThrownBy(() -> values.duration("bitnet.dedupe.window", null)).hasMessageContaining("bitnet.dedupe.window");
        assertThat(ConfigValues.parseDuration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(ConfigValues.parseDuration("k", "5000")).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigValues.parseDuration("k", "PT24H")).isEqualTo(Duration.ofDays(1));
        assertThat(ConfigValues.parseDuration("k", "1d")).isEqualTo(Duration.ofDays(1));
        // reading a key the application did not declare is a bug in the application, not in the user's config
        assertThatThrownBy(() -> values.text("bitnet.undeclared", "x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void toStringMasksSecrets() {
        ConfigValues values = ConfigValues.of(KEYS, Map.of(
                "sasl.jaas.config", "... password=\"hunter2\";",
                "ssl.keystore.password", "hunter3",
                "ssl.key.password", "hunter4",
                "basic.auth.user.info", "user:hunter5",
                "schema.registry.url", "https://user:hunter6@registry:8081",
                "sasl.oauthbearer.client.credentials.client.secret", "hunter7",
                "linger.ms", "5"));
        assertThat(values.toString()).doesNotContain("hunter").contains("linger.ms=5")
                .contains("sasl.jaas.config=" + Secrets.MASK).contains("https://" + Secrets.MASK + "@registry:8081");
    }
}

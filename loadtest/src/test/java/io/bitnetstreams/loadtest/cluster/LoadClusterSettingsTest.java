package io.bitnetstreams.loadtest.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: {@code loadtest --bootstrap-servers} takes the same {@code --config/--set} settings as every
 * command; they reach its own clients and serdes, and its worker processes get them in a private file, never on
 * the command line.
 */
class LoadClusterSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"load\" password=\"p4ss-word\";";

    @TempDir
    Path dir;

    @Test
    void theUsersSettingsReachTheClientsTheSerdesAndTheWorkersConfigFile() throws Exception {
        Map<String, String> shared = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS, "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "reg:s3cret", "bitnet.schema.registry.max.retries", "2");
        try (LoadCluster cluster = LoadCluster.start(settings(shared))) {
            assertThat(cluster.clientConfig()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .containsEntry("sasl.jaas.config", JAAS).containsEntry("bootstrap.servers", "127.0.0.1:1")
                    .doesNotContainKey("basic.auth.user.info");
            assertThat(cluster.serdeConfig()).containsEntry("basic.auth.user.info", "reg:s3cret")
                    .containsEntry("bitnet.schema.registry.max.retries", "2")
                    .containsEntry("schema.registry.url", "http://127.0.0.1:2/apis/ccompat/v7");

            WorkerLaunch.Spec spec = cluster.workerSpecs("w", 1, 1, 8, Map.of(), List.of()).getFirst();
            List<String> command = WorkerLaunch.command(spec);
            assertThat(String.join(" ", command)).doesNotContain("p4ss-word").doesNotContain("s3cret")
                    .contains("--config " + spec.configFile().toAbsolutePath());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spec.configFile())))
                    .isEqualTo("rw-------");
            Properties written = new Properties();
            try (var reader = Files.newBufferedReader(spec.configFile())) {
                written.load(reader);
            }
            assertThat(written).containsEntry("sasl.jaas.config", JAAS).containsEntry("basic.auth.user.info", "reg:s3cret");
        }
    }

    @Test
    void anUnknownBitnetKeyIsRefusedByTheOneLoader() {
        assertThatThrownBy(() -> settings(Map.of("bitnet.chunk.tokenz", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bitnet.chunk.tokenz");
    }

    private LoadCluster.Settings settings(Map<String, String> shared) {
        return new LoadCluster.Settings("127.0.0.1:1", "http://127.0.0.1:2/apis/ccompat/v7", dir.resolve("model.gguf"),
                dir, 3, 100, "bitnet-workers", "bitnet-topology", TopicNames.DEFAULTS, Map.of(), shared);
    }
}

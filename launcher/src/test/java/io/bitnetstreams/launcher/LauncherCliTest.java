package io.bitnetstreams.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class LauncherCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = LauncherCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void theProductionCommandsAreThere() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("topology", "worker", "submit", "pull").doesNotContain("loadtest").doesNotContainPattern("(?m)^  standalone ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"topology", "worker", "submit"})
    void everyCommandThatTalksToAClusterDocumentsItsConfiguration(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: bitnet-streams " + command)
                .contains("--config=FILE", "--set=KEY=VALUE", "BITNET_CONFIG", "KAFKA_SASL_JAAS_CONFIG",
                        "SCHEMA_REGISTRY_URL", "bitnet.topic.dlq", command + " keys:");
    }

    @Test
    void pullHasHelp() {
        assertThat(run("pull", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: bitnet-streams pull");
    }

    @Test
    void anUnknownKeyIsAUsageErrorNamingIt() {
        assertThat(run("worker", "--model", "keyword", "--bootstrap-servers", "b:1", "--schema-registry", "http://r:1",
                "--set", "bitnet.queue.capacty=4")).isEqualTo(2);
        assertThat(err.toString()).contains("bitnet.queue.capacty").contains("did you mean 'bitnet.queue.capacity'");
    }
}

package io.bitnetstreams.standalone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BitnetStreamsCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = BitnetStreamsCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"standalone", "topology", "worker", "submit", "pull", "loadtest"})
    void everySubcommandHasHelp(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: bitnet-streams " + command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"standalone", "topology", "worker", "submit"})
    void everyCommandThatTalksToAClusterTakesTheOneConfigOptions(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE", "--set=KEY=VALUE", "BITNET_CONFIG", "bitnet.topic.dlq");
    }

    @Test
    void standaloneRejectsAnUnknownKey() {
        assertThat(run("standalone", "--set", "bitnet.chunk.tokenz=5")).isEqualTo(2);
        assertThat(err.toString()).contains("bitnet.chunk.tokenz").contains("did you mean 'bitnet.chunk.tokens'");
    }

    @Test
    void theRootHelpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("standalone", "topology", "worker", "submit", "pull", "loadtest");
    }

    @Test
    void loadtestHereNamesTheLauncherThatRunsIt() {
        assertThat(run("loadtest")).isNotZero();
        assertThat(err.toString()).contains("bin/bitnet-streams loadtest", "io.bitnetstreams.loadtest.cli.LoadtestMain");
    }

    @Test
    void standaloneRefusesHalfAConnection() {
        assertThat(run("standalone", "--bootstrap-servers", "localhost:9092")).isEqualTo(2);
        assertThat(err.toString()).contains("--bootstrap-servers and --schema-registry go together");
    }

    @Test
    void standaloneRefusesABadTimeout() {
        assertThat(run("standalone", "--timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("not a duration");
    }

    @Test
    void submitValidatesTheRequestBeforeConnecting() {
        assertThat(run("submit", "--bootstrap-servers", "localhost:1", "--schema-registry", "http://localhost:1",
                "--task", "classify", "--text", "hello")).isEqualTo(2);
        assertThat(err.toString()).contains("needs \"labels\"");
    }
}

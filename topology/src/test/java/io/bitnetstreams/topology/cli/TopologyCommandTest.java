package io.bitnetstreams.topology.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TopologyCommandTest {

    @Test
    void flagsBecomeConfigOverrides() {
        var command = new TopologyCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", "k:9092", "--schema-registry", "http://r:8081",
                "--http-port", "9000", "--set", "bitnet.chunk.tokens=256");
        assertThat(command.overrides()).containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("schema.registry.url", "http://r:8081")
                .containsEntry("bitnet.http.port", "9000")
                .containsEntry("bitnet.chunk.tokens", "256");
    }

    @Test
    void helpListsTheConfigOptionsAndKeys() {
        var out = new StringWriter();
        var cli = new CommandLine(new TopologyCommand());
        io.bitnetstreams.contract.config.ConfigOptions.document(cli, io.bitnetstreams.topology.config.TopologyConfig.KEYS);
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE").contains("--set=KEY=VALUE").contains("BITNET_CONFIG")
                .contains("KAFKA_SASL_JAAS_CONFIG").contains("bitnet.chunk.tokens").contains("bitnet.topic.dlq");
    }

    @Test
    void invalidConfigurationExitsWithCode2AndSaysWhy() {
        var err = new StringWriter();
        var cli = new CommandLine(new TopologyCommand());
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("--bootstrap-servers", "k:9092", "--schema-registry", "http://r:8081",
                "--set", "bitnet.chunk.overlap=-1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("bitnet.chunk.overlap");
    }

    @Test
    void unreachableClusterFailsFastWithExitCode1() {
        var err = new StringWriter();
        var cli = new CommandLine(new TopologyCommand());
        cli.setErr(new PrintWriter(err));
        // nothing listens on port 1: the registry check fails first, naming the registry
        int code = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--schema-registry", "http://127.0.0.1:1");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("schema registry at http://127.0.0.1:1 is unreachable");
    }
}

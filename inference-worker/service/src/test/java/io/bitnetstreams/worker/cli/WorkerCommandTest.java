package io.bitnetstreams.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.worker.executor.ExecutorFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WorkerCommandTest {

    private final AtomicBoolean executorMade = new AtomicBoolean();
    private final ExecutorFactory executors = config -> {
        executorMade.set(true);
        throw new IllegalStateException("not in this test");
    };

    @Test
    void optionsBecomeConfigKeys() {
        WorkerCommand command = new WorkerCommand(executors, Map.of(), app -> 0);
        new CommandLine(command).parseArgs("--model", "m.gguf", "--tasks", "classify,extract", "--threads", "3",
                "--queue", "9", "--set", "linger.ms=5", "--set", "bitnet.threads=7", "--bootstrap-servers", "b:1");
        // a named option wins over --set of the same key
        assertThat(command.overrides()).containsEntry("bitnet.model", "m.gguf").containsEntry("bitnet.tasks", "classify,extract")
                .containsEntry("bitnet.threads", "3").containsEntry("bitnet.queue.capacity", "9")
                .containsEntry("linger.ms", "5").containsEntry("bootstrap.servers", "b:1");
    }

    @Test
    void invalidConfigIsAUsageErrorNamingTheKeyAndLoadsNoModel() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new WorkerCommand(executors, Map.of("SCHEMA_REGISTRY_URL", "http://r"), app -> 0));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("--model", "keyword", "--bootstrap-servers", "b:1", "--threads", "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("'bitnet.threads'");
        assertThat(executorMade).isFalse();
    }
}

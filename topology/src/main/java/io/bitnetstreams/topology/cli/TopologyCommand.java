package io.bitnetstreams.topology.cli;

import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.topology.app.StartupException;
import io.bitnetstreams.topology.app.Tokenizers;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bitnet-streams topology}: runs the Kafka Streams front door until stopped (SIGTERM / Ctrl-C). Meant to be
 * registered as a subcommand of the pipeline CLI; also runnable alone through {@link #main}.
 */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams topology: validate, dedupe and chunk requests, reassemble results.")
public final class TopologyCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (bootstrap.servers)")
    String bootstrapServers;

    @Option(names = {"--schema-registry", "--schema-registry-url"}, description = "Schema registry URL(s) (schema.registry.url)")
    String schemaRegistry;

    @CommandLine.Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--tokenizer", description = "tiktoken ranks file (or a GGUF) for token counting")
    Path tokenizer;

    @Option(names = "--model", description = "Model GGUF whose tokenizer metadata is used (weights are not loaded)")
    Path model;

    @Option(names = "--http-port", description = "Port of /requests/{id}, /metrics, /health, /health/live and /health/ready (default 8080)")
    Integer httpPort;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        TopologyConfig config;
        try {
            config = TopologyConfig.load(configOptions.file(), System.getenv(), overrides());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("invalid configuration: " + e.getMessage());
            return 2;
        }
        TopologyApp app;
        try {
            app = TopologyApp.start(config, Tokenizers.load(model != null ? model : tokenizer));
        } catch (StartupException e) {
            spec.commandLine().getErr().println("cannot start: " + e.getMessage());
            return 1;
        }
        // the JVM waits for shutdown hooks, not for this thread: the hook itself closes the application
        var closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            closed.countDown();
        }, "topology-shutdown"));
        spec.commandLine().getOut().println("topology running; status and metrics on port " + app.httpPort());
        spec.commandLine().getOut().flush();
        closed.await();
        return 0;
    }

    Map<String, String> overrides() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(TopologyConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        options.put(TopologyConfig.SCHEMA_REGISTRY_URL, schemaRegistry);
        options.put("bitnet.http.port", httpPort);
        return configOptions.overrides(options);
    }

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new TopologyCommand());
        ConfigOptions.document(commandLine, TopologyConfig.KEYS);
        System.exit(commandLine.execute(args));
    }
}

package io.bitnetstreams.topology.cli;

import io.bitnetstreams.topology.app.StartupException;
import io.bitnetstreams.topology.app.Tokenizers;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.nio.file.Path;
import java.util.HashMap;
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

    @Option(names = "--schema-registry", description = "Schema registry URL(s) (schema.registry.url)")
    String schemaRegistry;

    @Option(names = "--config", description = "Properties file (bitnet.* keys and Kafka/Streams/registry keys)")
    Path configFile;

    @Option(names = "--tokenizer", description = "tiktoken ranks file (or a GGUF) for token counting")
    Path tokenizer;

    @Option(names = "--model", description = "Model GGUF whose tokenizer metadata is used (weights are not loaded)")
    Path model;

    @Option(names = "--http-port", description = "Port of /requests/{id}, /metrics, /health, /health/live and /health/ready (default 8080)")
    Integer httpPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any other setting, e.g. --set bitnet.chunk.tokens=512")
    Map<String, String> settings = new HashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        TopologyConfig config;
        try {
            config = TopologyConfig.load(configFile, System.getenv(), overrides());
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
        Map<String, String> overrides = new HashMap<>(settings);
        if (bootstrapServers != null) {
            overrides.put(TopologyConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (schemaRegistry != null) {
            overrides.put(TopologyConfig.SCHEMA_REGISTRY_URL, schemaRegistry);
        }
        if (httpPort != null) {
            overrides.put("bitnet.http.port", httpPort.toString());
        }
        return overrides;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TopologyCommand()).execute(args));
    }
}

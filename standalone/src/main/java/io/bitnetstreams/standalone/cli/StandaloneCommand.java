package io.bitnetstreams.standalone.cli;

import io.bitnetstreams.contract.config.ConfigLoader;
import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.engine.download.DownloadConfig;
import io.bitnetstreams.launcher.cli.Durations;
import io.bitnetstreams.launcher.cli.Logging;
import io.bitnetstreams.standalone.input.InputReader;
import io.bitnetstreams.standalone.model.ModelResolver;
import io.bitnetstreams.standalone.run.StandaloneRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bitnet-streams standalone}: the whole pipeline in one JVM on the bundled sample (or your input). */
@Command(name = "standalone", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole pipeline in this JVM: an embedded Kafka broker, the schema registry, the topology"
                + " and the inference worker(s); feed the bundled sample corpus (or --input), print every result and a"
                + " summary, and stop.",
                "Model: --model, else the official model in the cache, else a download of it, else (offline) a"
                + " synthetic model whose outputs are meaningless.",
                "Exit status: 0 when every request ended (result or dead letter), 1 when not, 2 for usage errors."})
final class StandaloneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "FILE.jsonl|DIR",
            description = "JSONL requests, or a directory (one classify and one extract request per text file)."
                    + " Default: the bundled sample corpus.")
    Path input;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N input lines (0 = all).")
    int limit;

    @Option(names = "--model", paramLabel = "PATH", description = "Model GGUF to run.")
    Path model;

    @Option(names = "--synthetic", description = "Use the synthetic model even when the real one is available.")
    boolean synthetic;

    @Option(names = "--no-download", negatable = false, description = "Do not try to download the official model.")
    boolean noDownload;

    @Option(names = "--model-cache", paramLabel = "DIR", description = "Model cache (default: ~/.cache/bitnet-streams/models).")
    Path modelCache;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Write a JSON report of every outcome.")
    Path report;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Use this Kafka cluster instead of starting one (with --schema-registry).")
    String bootstrapServers;

    @Option(names = "--schema-registry", paramLabel = "URL", description = "Use this schema registry (with --bootstrap-servers).")
    String schemaRegistry;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep broker, registry and Streams files below DIR (default: temporary).")
    Path dataDir;

    @Option(names = "--status-port", paramLabel = "PORT", defaultValue = "0", description = "Topology status/metrics HTTP port (0 = free).")
    int statusPort;

    @Option(names = "--worker-port", paramLabel = "PORT", defaultValue = "0", description = "Worker metrics HTTP port (0 = free).")
    int workerPort;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "Inference workers in this JVM (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--threads", paramLabel = "N", description = "Inference threads per worker (default: all cores).")
    Integer threads;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "Bound on the whole run, start-up included; requests without a final result by then make"
                    + " the run fail (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--keep-running", description = "Keep the stack up after the run and print its addresses (Ctrl-C stops it).")
    boolean keepRunning;

    @Option(names = {"-v", "--verbose"}, description = "Show INFO logs.")
    boolean verbose;

    @CommandLine.Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        Logging.quiet(verbose);
        StandaloneRun.Options options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("standalone: " + e.getMessage());
            return StandaloneRun.EXIT_USAGE;
        }
        StandaloneRun run = new StandaloneRun(options, spec.commandLine().getOut(), spec.commandLine().getErr());
        Thread hook = new Thread(run::shutdown, "standalone-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.run();
        } catch (InputReader.InputException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("standalone: " + e.getMessage());
            return StandaloneRun.EXIT_USAGE;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("standalone: failed: " + e.getMessage());
            return StandaloneRun.EXIT_INCOMPLETE;
        } finally {
            run.shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
    }

    StandaloneRun.Options options() {
        Path cache = modelCache != null ? modelCache : DownloadConfig.defaultDirectory();
        return new StandaloneRun.Options(input, limit, new ModelResolver.Request(model, cache, !noDownload, synthetic),
                bootstrapServers, schemaRegistry, dataDir, statusPort, workerPort, workers,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), timeout, Duration.ofMinutes(4),
                report, keepRunning, System.console() != null,
                ConfigLoader.merge(configOptions.file(), System.getenv(), configOptions.overrides(Map.of())));
    }
}

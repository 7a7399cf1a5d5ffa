package io.bitnetstreams.standalone.run;

import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.contract.config.KnownKeys;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestMapper;
import io.bitnetstreams.contract.request.RequestSpec;
import io.bitnetstreams.launcher.client.RequestPublisher;
import io.bitnetstreams.launcher.client.ResultListener;
import io.bitnetstreams.launcher.client.ResultMapper;
import io.bitnetstreams.schemas.serde.registry.Redaction;
import io.bitnetstreams.standalone.input.InputBatch;
import io.bitnetstreams.standalone.input.InputReader;
import io.bitnetstreams.standalone.input.SampleCorpus;
import io.bitnetstreams.standalone.model.ModelResolver;
import io.bitnetstreams.standalone.model.ResolvedModel;
import io.bitnetstreams.standalone.pipeline.Infrastructure;
import io.bitnetstreams.standalone.pipeline.Parts;
import io.bitnetstreams.standalone.pipeline.TopologyPart;
import io.bitnetstreams.standalone.pipeline.WorkerPart;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One standalone run: read the input, pick the model, start (or connect to) Kafka and the registry, start the
 * topology and the workers, send every request, wait for every final record, print the results and the summary.
 */
public final class StandaloneRun {

    public static final int EXIT_OK = 0;
    public static final int EXIT_INCOMPLETE = 1;
    public static final int EXIT_USAGE = 2;

    /** The {@code bitnet.*} keys of a standalone run: the topology's and the worker's. */
    public static final KnownKeys KEYS = TopologyConfig.KEYS.union("standalone", WorkerConfig.KEYS);

    /**
     * @param input            JSONL file or directory; null = the bundled sample corpus
     * @param limit            only the first {@code limit} input lines; 0 = all
     * @param bootstrapServers with {@code registryUrl}: use that cluster instead of starting one
     * @param workers          worker instances in this JVM
     * @param threads          inference threads per worker
     * @param timeout          bound on the whole run, from reading the input to the last final record (start-up of
     *                         the broker and registry included; those have their own bounds too)
     * @param settings         configuration of the topology and the workers from the one loader ({@code --config},
     *                         environment, {@code --set}), checked against {@link #KEYS}; the stack's own
     *                         addresses, ports and model win over it
     */
    public record Options(Path input, int limit, ModelResolver.Request model, String bootstrapServers, String registryUrl,
                          Path dataDir, int statusPort, int workerPort, int workers, int threads, Duration timeout,
                          Duration registryStartup, Path report, boolean keepRunning, boolean terminal,
                          Map<String, String> settings) {

        /** Without settings of the user's (every key at the standalone defaults). */
        public Options(Path input, int limit, ModelResolver.Request model, String bootstrapServers, String registryUrl,
                       Path dataDir, int statusPort, int workerPort, int workers, int threads, Duration timeout,
                       Duration registryStartup, Path report, boolean keepRunning, boolean terminal) {
            this(input, limit, model, bootstrapServers, registryUrl, dataDir, statusPort, workerPort, workers, threads,
                    timeout, registryStartup, report, keepRunning, terminal, Map.of());
        }

        public Options {
            settings = ConfigValues.of(KEYS, settings).asMap();
            if ((bootstrapServers == null) != (registryUrl == null)) {
                throw new IllegalArgumentException("--bootstrap-servers and --schema-registry go together");
            }
            if (limit < 0 || workers < 1 || workers > 16 || threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("need --limit >= 0, --workers in [1, 16], --threads in [1, 1024]");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("--timeout must be positive");
            }
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Parts parts = new Parts();
    private long deadline;
    /** Tells this run's request ids and worker instances apart from other runs on a shared cluster. */
    private final String runTag = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);

    public StandaloneRun(Options options, PrintWriter out, PrintWriter err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** Reads the input as configured: a file or directory, else the bundled sample; then the limit. */
    public static InputBatch readInput(Path input, int limit) {
        List<ParsedLine> lines = input == null
                ? SampleCorpus.parsedLines()
                : InputReader.read(input, SampleCorpus.labels(), SampleCorpus.schema());
        return InputBatch.of(limit > 0 ? InputBatch.firstLines(lines, limit) : lines);
    }

    /** Runs to the end; returns the process exit status. Safe to call {@link #shutdown()} from another thread. */
    public int run() throws Exception {
        deadline = System.nanoTime() + options.timeout().toNanos();
        InputBatch batch = readInput(options.input(), options.limit());
        err.printf("input: %d lines -> %d requests, %d dead letters, %d duplicates%n", batch.lines(),
                batch.requests().size(), batch.deadLetters().size(), batch.duplicates().size());
        ResolvedModel model = ModelResolver.resolve(options.model(), err);
        err.println("model: " + model.path() + " (" + model.origin().name().toLowerCase() + ")");
        if (model.synthetic()) {
            err.println(ModelResolver.SYNTHETIC_WARNING);
        }
        err.flush();
        try {
            Stack stack = startStack(model);
            RunResult result = process(batch, stack);
            report(batch, model, stack, result);
            int status = EXIT_OK;
            if (!result.summary().complete()) {
                err.printf("standalone: NOT every request ended: %d had no final record within --timeout %d s"
                                + " (%d repeated results). Try a longer --timeout, fewer requests (--limit) or more"
                                + " --threads; the TIMED_OUT rows above name them.%n",
                        result.summary().timedOut(), options.timeout().toSeconds(), result.summary().repeatedResults());
                err.flush();
                status = EXIT_INCOMPLETE;
            }
            if (options.keepRunning() && !parts.isClosed()) {
                printAddresses(stack);
                new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook closes the parts
            }
            return status;
        } finally {
            parts.close();
        }
    }

    /** Stops every part (Ctrl-C). */
    public void shutdown() {
        parts.close();
    }

    private record Stack(Infrastructure infrastructure, TopologyApp topology, TopologyConfig topologyConfig,
                         WorkerPart workers) {
    }

    private Stack startStack(ResolvedModel model) throws Exception {
        Infrastructure infrastructure;
        // Always a directory of ours: left to themselves, the embedded broker's test kit and the registry register
        // their own JVM shutdown hooks, and on SIGTERM Kafka's hook deleted the live broker's log directory, the
        // broker halted the JVM, and our shutdown never finished (registry and Streams directories were left behind).
        // A temporary one is deleted after every part that uses it has stopped (parts close in reverse order).
        Path dataDir = options.dataDir() == null ? temporaryDirectory("bitnet-standalone-")
                : options.dataDir().resolve("run-" + Instant.now().toString().replace(':', '-'));
        if (options.bootstrapServers() != null) {
            // the user's security settings reach this run's own clients (publisher, result listener) too
            ConfigValues settings = ConfigValues.of(KEYS, options.settings());
            infrastructure = parts.add("connection", Infrastructure.existing(options.bootstrapServers(),
                    options.registryUrl(), settings.clientConfig(), settings.serdeConfig()));
        } else {
            err.println("starting: Kafka broker (embedded KRaft) and schema registry (Apicurio child process)...");
            err.flush();
            infrastructure = parts.add("kafka and schema registry", Infrastructure.embedded(dataDir, options.registryStartup()));
        }
        Path stateDir = dataDir.resolve("streams");
        TopologyConfig config = TopologyPart.config(infrastructure, TopologyPart.contextTokens(model.path()),
                options.statusPort(), stateDir, options.settings());
        err.println("starting: topology...");
        err.flush();
        TopologyApp topology = parts.add("topology", TopologyPart.start(config, model.path()));
        err.printf("starting: %d inference worker(s), %d threads each...%n", options.workers(), options.threads());
        err.flush();
        WorkerPart workers = parts.add("workers", WorkerPart.start(infrastructure, config.topics(),
                new WorkerPart.Settings(model.path(), options.workers(), options.threads(), options.workerPort(),
                        infrastructure.embedded() ? "standalone-" : "standalone-" + runTag + "-", options.settings())));
        return new Stack(infrastructure, topology, config, workers);
    }

    /** A temporary directory removed when the parts close (after the topology that uses it). */
    private Path temporaryDirectory(String prefix) throws IOException {
        Path directory = Files.createTempDirectory(prefix);
        parts.add("temporary directory " + directory, () -> deleteRecursively(directory));
        return directory;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private record RunResult(List<Outcome> outcomes, RunSummary summary) {
    }

    private RunResult process(InputBatch batch, Stack stack) throws InterruptedException {
        // against a shared cluster ids of earlier runs are remembered by the dedupe step: give this run its own
        String prefix = stack.infrastructure().embedded() ? "" : "run-" + runTag + "-";
        RunTracker tracker = new RunTracker(batch.requests(), prefix);
        try (ResultListener listener = ResultListener.start(stack.infrastructure().clientConfig(),
                stack.infrastructure().serdeConfig(), stack.topologyConfig().topics(), Duration.ofSeconds(30),
                (key, record) -> tracker.end(key, ResultMapper.toEnding(record), System.nanoTime()));
             RequestPublisher publisher = new RequestPublisher(stack.infrastructure().clientConfig(),
                     stack.infrastructure().serdeConfig(), stack.topologyConfig().topics().requests());
             ProgressBar progress = new ProgressBar(err, tracker, options.terminal())) {
            Instant now = Instant.now();
            for (Map.Entry<String, RequestSpec> entry : tracker.requestsByKey().entrySet()) {
                tracker.sent(entry.getKey(), System.nanoTime());
                publisher.send(RequestMapper.toAvro(entry.getKey(), entry.getValue(), now));
            }
            publisher.flush();
            // at least a moment for results already on their way, even when start-up used up the time
            tracker.awaitAll(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L)));
        }
        List<Outcome> outcomes = tracker.outcomes(batch.deadLetters());
        RunSummary summary = RunSummary.of(batch.lines(), outcomes, batch.requests().size(), batch.duplicates().size(),
                tracker.repeatedEndings(), tracker.elapsedSeconds(System.nanoTime()));
        return new RunResult(outcomes, summary);
    }

    private void report(InputBatch batch, ResolvedModel model, Stack stack, RunResult result) throws IOException {
        if (model.synthetic()) {
            out.println(ModelResolver.SYNTHETIC_WARNING);
            out.println();
        }
        ResultsTable.print(out, result.outcomes());
        ResultsTable.printSummary(out, result.summary());
        if (!batch.duplicates().isEmpty()) {
            out.println("duplicates (not processed again): " + batch.duplicates().stream()
                    .map(d -> d.id() + " (line " + d.line() + ")").toList());
        }
        out.println("model: " + model.path() + " (" + model.origin().name().toLowerCase() + ")");
        if (model.synthetic()) {
            out.println(ModelResolver.SYNTHETIC_WARNING);
        }
        out.flush();
        if (options.report() != null) {
            Map<String, String> context = new LinkedHashMap<>();
            context.put("model", model.path().toString());
            context.put("model_origin", model.origin().name());
            context.put("bootstrap_servers", stack.infrastructure().bootstrapServers());
            ReportWriter.write(options.report(), ReportWriter.toJson(result.summary(), result.outcomes(),
                    batch.duplicates(), context));
            err.println("report: " + options.report().toAbsolutePath());
            err.flush();
        }
    }

    private void printAddresses(Stack stack) {
        out.println();
        out.println("stack running (Ctrl-C stops it):");
        out.println("  bootstrap servers : " + stack.infrastructure().bootstrapServers());
        out.println("  schema registry   : " + Redaction.urls(stack.infrastructure().registryUrl()));
        out.println("  topology status   : http://localhost:" + stack.topology().httpPort() + "/requests/{id}");
        out.println("  topology metrics  : http://localhost:" + stack.topology().httpPort() + "/metrics");
        for (int port : stack.workers().httpPorts()) {
            out.println("  worker metrics    : http://localhost:" + port + "/metrics");
        }
        out.println("  submit a request  : bin/bitnet-streams submit --bootstrap-servers "
                + stack.infrastructure().bootstrapServers() + " --schema-registry "
                + Redaction.urls(stack.infrastructure().registryUrl()) + " --task classify --labels a,b --text \"...\"");
        out.flush();
    }
}

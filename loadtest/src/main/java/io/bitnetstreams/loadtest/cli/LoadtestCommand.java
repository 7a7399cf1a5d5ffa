package io.bitnetstreams.loadtest.cli;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigLoader;
import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.standalone.run.StandaloneRun;
import io.bitnetstreams.loadtest.arrival.ArrivalSchedule;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.cluster.LoadCluster;
import io.bitnetstreams.loadtest.report.Markdown;
import io.bitnetstreams.loadtest.report.ReportContext;
import io.bitnetstreams.loadtest.report.ReportWriter;
import io.bitnetstreams.loadtest.run.LoadStudy;
import io.bitnetstreams.loadtest.workload.DocumentSource;
import io.bitnetstreams.loadtest.workload.LengthDistribution;
import io.bitnetstreams.loadtest.workload.TaskMix;
import io.bitnetstreams.loadtest.workload.TokenCounter;
import io.bitnetstreams.loadtest.workload.Workload;
import io.bitnetstreams.standalone.input.SampleCorpus;
import io.bitnetstreams.topology.app.Tokenizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bitnet-streams loadtest}: drive the pipeline with a measured load and write a report. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false, subcommands = EosProbeCommand.class,
        description = {"Drive the pipeline with an open-loop (--rate) or closed-loop (--in-flight) load and write a report"
                + " (Markdown, JSON, PNG charts, per-request CSV): end-to-end latency from the intended send time, the"
                + " worker's queue and engine time, throughput, consumer lag, dead letters, CPU and memory of every worker.",
                "Without --bootstrap-servers it starts a broker, a schema registry and the topology in this JVM; workers are"
                + " always separate processes (the production 'worker' entry point). --scale 1,2 repeats the load with 1, 2"
                + " workers; --find-saturation searches the highest rate holding --slo-p99.",
                "Exit status: 0 when every request ended (result or dead letter), 1 when some did not, 2 for usage errors."})
public final class LoadtestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "Model GGUF the workers run (its tokenizer sizes the documents).")
    Path model;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Drive this cluster (with --schema-registry)"
            + " instead of starting one; its topology must be running.")
    String bootstrapServers;

    @Option(names = "--schema-registry", paramLabel = "URL", description = "Schema registry of that cluster (Confluent API URL).")
    String schemaRegistry;

    @Option(names = "--rate", paramLabel = "R", description = "Open loop: requests per second.")
    Double rate;

    @Option(names = "--arrivals", paramLabel = "poisson|constant", defaultValue = "poisson",
            description = "Open-loop arrival process (default: ${DEFAULT-VALUE}).")
    String arrivals;

    @Option(names = "--in-flight", paramLabel = "N", description = "Closed loop: keep N requests in flight (instead of --rate).")
    Integer inFlight;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to send (default 60s unless --count is given).")
    Duration duration;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "How many requests to send (0: by --duration).")
    long count;

    @Option(names = "--workers", paramLabel = "N", description = "Worker processes to start (default 1; 0 with --bootstrap-servers:"
            + " use the cluster's own workers).")
    Integer workers;

    @Option(names = "--threads", paramLabel = "T", description = "Inference threads per worker (default: cores / workers, at least 1).")
    Integer threads;

    @Option(names = "--scale", paramLabel = "N,N,...", split = ",", description = "Scaling mode: the same load with each number of"
            + " worker processes, e.g. 1,2.")
    List<Integer> scale;

    @Option(names = "--mix", paramLabel = "TASK=W,...", defaultValue = "classify=100",
            description = "Task mix, e.g. classify=80,extract=15,generate=5 (default: ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--documents", paramLabel = "sample|synthetic|DIR", defaultValue = "synthetic",
            description = "Document text: the bundled sample corpus, random words, or the text files of a directory"
                    + " (default: ${DEFAULT-VALUE}).")
    String documents;

    @Option(names = "--lengths", paramLabel = "DIST", description = "Document lengths in tokens: 128, uniform:64:512 or exp:200"
            + " (default 128 for synthetic documents; sample and directory texts as they are).")
    String lengths;

    @Option(names = "--labels", paramLabel = "N|A,B,...", description = "Classification labels: a count or a list (default: the sample's 3).")
    String labels;

    @Option(names = "--schema", paramLabel = "FILE", description = "JSON Schema for extract requests (default: the sample's).")
    Path schema;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Generated tokens per generate request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of arrivals, mix and documents (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--find-saturation", description = "Search the highest open-loop rate that holds --slo-p99 with lag not"
            + " growing, then run at half of it.")
    boolean findSaturation;

    @Option(names = "--slo-p99", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Latency SLO of the saturation search (default: ${DEFAULT-VALUE}).")
    Duration sloP99;

    @Option(names = "--search-steps", paramLabel = "N", defaultValue = "4", description = "Open-loop runs of the search (default: ${DEFAULT-VALUE}).")
    int searchSteps;

    @Option(names = "--half-duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the run at half the saturation rate sends (default: as --duration/--count).")
    Duration halfDuration;

    @Option(names = "--half-arrivals", paramLabel = "poisson|constant", defaultValue = "poisson",
            description = "Arrivals of the run at half the saturation rate: poisson includes queueing behind random bursts,"
                    + " constant isolates the pipeline's own overhead (default: ${DEFAULT-VALUE}).")
    String halfArrivals;

    @Option(names = "--probe-in-flight", paramLabel = "N", defaultValue = "16",
            description = "Requests in flight per worker in the closed-loop capacity probe (default: ${DEFAULT-VALUE}).")
    int probeInFlight;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Requests per worker sent and awaited before"
            + " measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to wait for answers after the last send (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Report directory (default: loadtest-report-<time>).")
    Path reportDir;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Most sequences a worker batches (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "12", description = "Partitions of the topics of a started"
            + " stack (default: ${DEFAULT-VALUE}; a multiple of every worker count spreads work evenly).")
    int partitions;

    @Option(names = "--commit-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Exactly-once commit interval of the topology (commit.interval.ms) and the workers"
                    + " (bitnet.commit.interval.ms) started here; default: their production defaults.")
    Duration commitInterval;

    @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest poll of the topology (poll.ms) and the workers (bitnet.poll.timeout.ms) started here;"
                    + " default: their production defaults.")
    Duration pollInterval;

    @Option(names = "--topology-set", paramLabel = "KEY=VALUE", description = "Any further topology key or Kafka Streams"
            + " property of a started stack, e.g. --topology-set poll.ms=10.")
    Map<String, String> topologySettings = new LinkedHashMap<>();

    @Option(names = "--worker-set", paramLabel = "KEY=VALUE", description = "Any further worker config key, e.g. --worker-set bitnet.queue.capacity=32.")
    Map<String, String> workerSettings = new LinkedHashMap<>();

    @Option(names = "--worker-jvm-options", paramLabel = "OPTIONS", defaultValue = "",
            description = "JVM options of the worker processes, e.g. \"-Xmx2g -XX:+UseParallelGC\".")
    String workerJvmOptions;

    @Option(names = "--worker-startup", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Bound on loading the model and joining the group (default: ${DEFAULT-VALUE}).")
    Duration workerStartup;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Progress lines on stderr (default: every ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(names = "--worker-group", paramLabel = "ID", defaultValue = "bitnet-workers", description = "The workers' consumer group (default: ${DEFAULT-VALUE}).")
    String workerGroup;

    @Option(names = "--topology-app-id", paramLabel = "ID", defaultValue = "bitnet-topology", description = "The topology's application id (default: ${DEFAULT-VALUE}).")
    String topologyAppId;

    @Option(names = {"-v", "--verbose"}, description = "Show INFO logs.")
    boolean verbose;

    /** The same settings as every command that talks to a cluster: security, client tuning, topic names. */
    @CommandLine.Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        quietLogs(verbose);
        Plan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("loadtest: " + e.getMessage());
            return 2;
        }
        Map<String, String> shared;
        try {
            shared = ConfigValues.of(StandaloneRun.KEYS,
                    ConfigLoader.merge(configOptions.file(), System.getenv(), configOptions.overrides(Map.of()))).asMap();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("loadtest: " + e.getMessage());
            return 2;
        }
        Files.createDirectories(plan.reportDir);
        String loadBefore = ReportContext.loadAverage();
        Instant started = Instant.now();
        err.printf("loadtest: report in %s; load average %s%n", plan.reportDir, loadBefore);
        if (bootstrapServers == null) {
            err.println("starting a Kafka broker, the schema registry and the topology...");
        }
        Path dataDir = Files.createTempDirectory("bitnet-loadtest-");
        // A shutdown (Ctrl-C, SIGTERM) aborts the study from a hook; without waiting there the JVM would halt before the
        // code below stops the worker processes and the stack, and the worker JVMs (gigabytes each) would live on.
        CountDownLatch cleanedUp = new CountDownLatch(1);
        try (LoadCluster cluster = LoadCluster.start(new LoadCluster.Settings(bootstrapServers, schemaRegistry, model,
                dataDir, partitions, commitInterval == null ? 0 : (int) commitInterval.toMillis(), workerGroup, topologyAppId,
                TopicNames.DEFAULTS, topologySettings(), shared))) {
            LoadStudy study = new LoadStudy(cluster, plan.tokens, err);
            Thread hook = new Thread(() -> {
                study.abort();
                awaitQuietly(cleanedUp, SHUTDOWN_CLEANUP);
            }, "loadtest-abort");
            Runtime.getRuntime().addShutdownHook(hook);
            List<LoadStudy.Level> levels;
            try {
                levels = study.run(plan.study);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs
                }
            }
            ReportContext context = new ReportContext(commandLine(), started.toString(), Instant.now().toString(), model == null ? "(the cluster's)" : model.toString(),
                    model == null ? 0 : Files.size(model), Runtime.getRuntime().availableProcessors(), loadBefore,
                    ReportContext.loadAverage(), plan.workload.documents().describe() + "; mix " + plan.workload.mix().percentages()
                    + "; " + plan.workload.labels().size() + " labels", plan.study.threads(), plan.notes);
            Path report = ReportWriter.write(plan.reportDir, context, levels);
            spec.commandLine().getOut().print(Markdown.summary(context, levels, report));
            spec.commandLine().getOut().flush();
            boolean complete = levels.stream().allMatch(l -> ReportWriterAccess.complete(l));
            return complete && !levels.isEmpty() ? 0 : 1;
        } finally {
            deleteRecursively(dataDir);
            cleanedUp.countDown();
        }
    }

    /** How long a shutdown waits for the worker processes and the stack to stop (SIGTERM, then a kill after 30 s). */
    private static final Duration SHUTDOWN_CLEANUP = Duration.ofMinutes(2);

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The broker's, registry's and Streams' files of a started stack: temporary. */
    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: it is a temporary directory
        }
    }

    private record Plan(Path reportDir, Workload workload, TokenCounter tokens, LoadStudy.Settings study, List<String> notes) {
    }

    private Plan plan() throws IOException {
        if ((bootstrapServers == null) != (schemaRegistry == null)) {
            throw new IllegalArgumentException("--bootstrap-servers and --schema-registry go together");
        }
        if ((rate == null) == (inFlight == null)) {
            throw new IllegalArgumentException("give either --rate (open loop) or --in-flight (closed loop)");
        }
        Duration sendFor = duration != null ? duration : count > 0 ? null : Duration.ofSeconds(60);
        ArrivalSchedule.Shape shape = arrivalShape(arrivals, "--arrivals");
        ArrivalSchedule.Shape halfShape = arrivalShape(halfArrivals, "--half-arrivals");
        LoadShape load = rate != null ? LoadShape.open(shape, rate, sendFor, count) : LoadShape.closed(inFlight, sendFor, count);
        List<Integer> counts = scale != null && !scale.isEmpty() ? List.copyOf(scale)
                : List.of(workers != null ? workers : bootstrapServers != null ? 0 : 1);
        for (int n : counts) {
            if (n < 0 || n > 64) {
                throw new IllegalArgumentException("worker counts must be in [0, 64], not " + n);
            }
        }
        boolean startsWorkers = counts.stream().anyMatch(n -> n > 0);
        if ((bootstrapServers == null || startsWorkers) && model == null) {
            throw new IllegalArgumentException("--model is required to start workers or a stack");
        }
        if (model != null && !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model " + model + " does not exist");
        }
        if (bootstrapServers == null && counts.contains(0)) {
            throw new IllegalArgumentException("a stack started here needs worker processes: --workers 1 or more");
        }
        if (searchSteps < 1 || searchSteps > 20 || probeInFlight < 1 || probeInFlight > 1000 || warmup < 0 || warmup > 1000) {
            throw new IllegalArgumentException("--search-steps in [1, 20], --probe-in-flight in [1, 1000], --warmup in [0, 1000]");
        }
        if (partitions < 1 || partitions > 1000 || batch < 1 || batch > 512) {
            throw new IllegalArgumentException("--partitions in [1, 1000], --batch in [1, 512]");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int maxWorkers = counts.stream().mapToInt(Integer::intValue).max().orElse(1);
        int threadsPerWorker = threads != null ? threads : Math.max(1, cores / Math.max(1, maxWorkers));
        if (threadsPerWorker < 1 || threadsPerWorker > 256) {
            throw new IllegalArgumentException("--threads must be in [1, 256]");
        }
        TokenCounter tokens = model != null ? TokenCounter.of(Tokenizers.load(model)) : TokenCounter.estimate();
        String schemaText = schema != null ? Files.readString(schema) : SampleCorpus.schema();
        LengthDistribution distribution = lengths != null ? LengthDistribution.parse(lengths) : null;
        Workload workload = new Workload(TaskMix.parse(mix), DocumentSource.parse(documents, distribution), Workload.labels(labels),
                schemaText, maxTokens, seed);
        Path dir = reportDir != null ? reportDir
                : Path.of("loadtest-report-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<String> notes = new ArrayList<>();
        if (counts.size() > 1) {
            notes.add(String.format("Scaling mode on %d cores: %d inference thread(s) per worker, so %d worker process(es) use at"
                    + " most %d core(s); beyond %d single-thread workers this machine has no cores left to scale onto.",
                    cores, threadsPerWorker, maxWorkers, maxWorkers * threadsPerWorker, cores));
        }
        if (bootstrapServers == null) {
            notes.add("The broker, the schema registry and the topology ran in the generator's machine (broker and topology in its"
                    + " JVM, registry in a child JVM); the workers ran as separate processes. They all share the same cores.");
        }
        if (!tokens.exact()) {
            notes.add("No model given: document lengths are estimated at four characters per token.");
        }
        LoadStudy.Settings study = new LoadStudy.Settings(counts, threadsPerWorker, batch, load, workload, findSaturation,
                sloP99.toMillis(), searchSteps, probeInFlight, warmup, drainTimeout, workerStartup, dir.resolve("workers"),
                workerSettings(), workerJvmOptions.isBlank() ? List.of() : Arrays.asList(workerJvmOptions.trim().split("\\s+")),
                progressInterval, 5.0, halfDuration, halfShape);
        return new Plan(dir.toAbsolutePath(), workload, tokens, study, notes);
    }

    private static ArrivalSchedule.Shape arrivalShape(String name, String option) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "poisson" -> ArrivalSchedule.Shape.POISSON;
            case "constant" -> ArrivalSchedule.Shape.CONSTANT;
            default -> throw new IllegalArgumentException(option + " must be poisson or constant");
        };
    }

    /** The workers' poll bound (if given), then the user's settings. */
    private Map<String, String> workerSettings() {
        Map<String, String> values = new LinkedHashMap<>();
        if (pollInterval != null) {
            values.put("bitnet.poll.timeout.ms", Long.toString(pollInterval.toMillis()));
        }
        values.putAll(workerSettings);
        return values;
    }

    /** Streams' poll bound (if given), then the user's settings. */
    private Map<String, String> topologySettings() {
        Map<String, String> values = new LinkedHashMap<>();
        if (pollInterval != null) {
            values.put("poll.ms", Long.toString(pollInterval.toMillis()));
        }
        values.putAll(topologySettings);
        return values;
    }

    private String commandLine() {
        return "bin/bitnet-streams loadtest " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    static void quietLogs(boolean verbose) {
        if (verbose || System.getenv("BITNET_LOG_LEVEL") != null) {
            return;
        }
        try {
            Configurator.setLevel("io.bitnetstreams", Level.WARN);
            Configurator.setLevel("io.bitnetstreams.engine.tokenizer.Llama3Tokenizer", Level.ERROR);
            for (String kafka : new String[] {"org.apache.kafka", "kafka", "state.change.logger"}) {
                Configurator.setLevel(kafka, Level.ERROR);
            }
        } catch (RuntimeException | LinkageError e) {
            // another logging backend: keep its levels
        }
    }

    /** Whether every run of a level accounted for all its requests. */
    private static final class ReportWriterAccess {
        static boolean complete(LoadStudy.Level level) {
            return level.main().counts().complete()
                    && (level.halfSaturation() == null || level.halfSaturation().counts().complete());
        }
    }

    static CommandLine commandLine(LoadtestCommand command) {
        return new CommandLine(command);
    }
}

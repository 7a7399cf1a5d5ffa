package io.bitnetstreams.worker.cli;

import io.bitnetstreams.contract.TopicCheck;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.executor.ExecutorFactory;
import io.bitnetstreams.worker.service.WorkerApp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bitnet-streams worker --model M --tasks classify,extract [--threads N] ...}: runs one worker
 * process until SIGTERM, then shuts down gracefully and exits 0. Options override the properties file
 * ({@code --config}) and the environment ({@code BITNET_*}, {@code KAFKA_*}, {@code SCHEMA_REGISTRY_*}); {@code --set
 * key=value} sets any key, Kafka client properties included. Register it as a subcommand of the pipeline CLI.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run an inference worker: consume work items from Kafka, publish results exactly once.")
public final class WorkerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--model", paramLabel = "M", description = "Model file, hf:OWNER/REPO/FILE, or 'keyword' (rule-based stand-in, no model).")
    String model;

    @Option(names = "--tasks", paramLabel = "LIST", description = "Task types to consume: classify,extract,generate.")
    String tasks;

    @Option(names = "--threads", paramLabel = "N", description = "Inference threads.")
    Integer threads;

    @Option(names = "--batch", paramLabel = "N", description = "Most sequences per batch.")
    Integer batch;

    @Option(names = "--queue", paramLabel = "N", description = "Most work items in flight; partitions pause beyond.")
    Integer queue;

    @Option(names = "--memory-mb", paramLabel = "MB", description = "KV-cache memory budget.")
    Long memoryMb;

    @Option(names = "--instance-id", paramLabel = "ID", description = "Stable id of this instance (its transactional id).")
    String instanceId;

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = {"--schema-registry", "--schema-registry-url"}, paramLabel = "URL", description = "Schema registry (Confluent API) URL.")
    String registryUrl;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of /health, /health/live, /health/ready (model loaded and partitions assigned) and /metrics (0 any, -1 none).")
    Integer httpPort;

    private final ExecutorFactory executors;
    private final Map<String, String> environment;
    private final Function<WorkerApp, Integer> runUntilStopped;

    /** For the pipeline CLI: {@code --model keyword} or a model file / hf: spec run by the engine. */
    public WorkerCommand() {
        this(new io.bitnetstreams.worker.engine.EngineExecutors());
    }

    /** Real environment; keyword executor, or {@code engineExecutors} for model files. */
    public WorkerCommand(ExecutorFactory engineExecutors) {
        this(ExecutorFactory.keywordOr(engineExecutors), System.getenv(), WorkerCommand::runUntilSigterm);
    }

    WorkerCommand(ExecutorFactory executors, Map<String, String> environment, Function<WorkerApp, Integer> runUntilStopped) {
        this.executors = executors;
        this.environment = environment;
        this.runUntilStopped = runUntilStopped;
    }

    @Override
    public Integer call() throws Exception {
        WorkerConfig config;
        try {
            config = WorkerConfig.load(configOptions.file(), environment, overrides());
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        WorkerApp app;
        try {
            app = WorkerApp.start(config, executors);
        } catch (TopicCheck.MissingTopicsException e) {
            spec.commandLine().getErr().println("worker: cannot start: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().printf("worker %s consuming %s; health on port %d%n",
                config.instanceId(), config.subscribedTopics(), app.httpPort());
        spec.commandLine().getOut().flush();
        return runUntilStopped.apply(app);
    }

    Map<String, String> overrides() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("bitnet.model", model);
        options.put("bitnet.tasks", tasks);
        options.put("bitnet.threads", threads);
        options.put("bitnet.batch.max.size", batch);
        options.put("bitnet.queue.capacity", queue);
        options.put("bitnet.memory.max.mb", memoryMb);
        options.put("bitnet.instance.id", instanceId);
        options.put("bootstrap.servers", bootstrapServers);
        options.put("schema.registry.url", registryUrl);
        options.put("bitnet.http.port", httpPort);
        return configOptions.overrides(options);
    }

    /** Waits for SIGTERM (a shutdown hook) or the loop ending by itself; 0 after a clean stop. */
    private static Integer runUntilSigterm(WorkerApp app) {
        CountDownLatch stopped = new CountDownLatch(1);
        boolean[] clean = {false};
        Thread hook = Thread.ofPlatform().name("bitnet-worker-shutdown").unstarted(() -> {
            try {
                clean[0] = app.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
            // A JVM ending on SIGTERM exits 143 whatever main returns; the contract is 0 after a clean stop.
            System.out.flush();
            Runtime.getRuntime().halt(clean[0] ? 0 : 1);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            app.awaitTermination();
            if (stopped.getCount() > 0) {
                // The loop ended without SIGTERM: a fatal error (e.g. fenced by a newer instance).
                Runtime.getRuntime().removeShutdownHook(hook);
                boolean ok = app.stop();
                log.error("worker loop ended on its own: {}", app.service().fatalError());
                return ok ? 0 : 1;
            }
            stopped.await();
            return clean[0] ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IllegalStateException e) {
            // Shutdown in progress: the hook stops the app and the JVM exits with its status.
            return 0;
        }
    }
}

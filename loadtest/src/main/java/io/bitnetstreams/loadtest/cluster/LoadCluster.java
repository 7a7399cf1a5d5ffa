package io.bitnetstreams.loadtest.cluster;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.loadtest.measure.LagProbe;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.standalone.pipeline.Infrastructure;
import io.bitnetstreams.standalone.pipeline.TopologyPart;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.standalone.run.StandaloneRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline a load test drives: a cluster and registry it starts (embedded KRaft broker, Apicurio process, the
 * topology in this JVM) or existing ones, plus the worker processes it starts for each run.
 */
public final class LoadCluster implements AutoCloseable {

    private AvroSerializer<InferenceRequest> requestSerializer;
    private AvroDeserializer<SpecificRecord> answerDeserializer;

    private static final Logger LOG = LoggerFactory.getLogger(LoadCluster.class);

    /**
     * @param bootstrapServers  an existing cluster (with {@code registryUrl}), or null to start one
     * @param model             the model the workers run (and whose tokenizer the topology counts with)
     * @param dataDir           where a started stack keeps its files
     * @param partitions        partitions of the topics a started topology creates
     * @param commitIntervalMs  exactly-once commit interval of the topology and the workers; 0: their defaults
     * @param workerGroup       the workers' consumer group (for lag)
     * @param topologyAppId     the topology's application id (for lag)
     * @param topologySettings  further settings of a started topology (applied last)
     * @param shared            the user's settings ({@code --config FILE}, environment, {@code --set}) for every
     *                          client: this process's, the topology's and the workers' (security, tuning)
     */
    public record Settings(String bootstrapServers, String registryUrl, Path model, Path dataDir, int partitions,
                           int commitIntervalMs, String workerGroup, String topologyAppId, TopicNames topics,
                           Map<String, String> topologySettings, Map<String, String> shared) {
        public Settings {
            shared = ConfigValues.of(StandaloneRun.KEYS, shared).asMap();
        }
    }

    private final Settings settings;
    private final Infrastructure infrastructure;
    private final TopologyApp topology;
    private final LagProbe lag;
    private final Admin admin;

    private LoadCluster(Settings settings, Infrastructure infrastructure, TopologyApp topology) {
        this.settings = settings;
        this.infrastructure = infrastructure;
        this.topology = topology;
        this.lag = new LagProbe(infrastructure.clientConfig());
        this.admin = Admin.create(infrastructure.clientConfig());
    }

    public static LoadCluster start(Settings settings) {
        if (settings.bootstrapServers() != null) {
            ConfigValues shared = ConfigValues.of(StandaloneRun.KEYS, settings.shared());
            return new LoadCluster(settings, Infrastructure.existing(settings.bootstrapServers(), settings.registryUrl(),
                    shared.clientConfig(), shared.serdeConfig()), null);
        }
        Infrastructure infrastructure = Infrastructure.embedded(settings.dataDir().resolve("stack"), Duration.ofMinutes(4));
        try {
            Path stateDir = Files.createDirectories(settings.dataDir().resolve("streams"));
            Map<String, String> overrides = new java.util.HashMap<>(settings.shared());
            overrides.put("bitnet.topics.partitions", Integer.toString(settings.partitions()));
            if (settings.commitIntervalMs() > 0) {
                overrides.put("commit.interval.ms", Integer.toString(settings.commitIntervalMs()));
            }
            overrides.putAll(settings.topologySettings());
            TopologyConfig config = TopologyPart.config(infrastructure, TopologyPart.contextTokens(settings.model()), 0, stateDir,
                    overrides);
            TopologyApp topology = TopologyPart.start(config, settings.model());
            return new LoadCluster(settings, infrastructure, topology);
        } catch (IOException e) {
            infrastructure.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    /**
     * The user's settings as a properties file only this user can read, for the worker processes: they may hold
     * passwords, which a command line would show to every user of the machine. Null when there are none.
     */
    private synchronized Path sharedSettingsFile() throws IOException {
        if (settings.shared().isEmpty()) {
            return null;
        }
        Path file = settings.dataDir().resolve("worker-settings.properties");
        if (!Files.exists(file)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.util.Properties properties = new java.util.Properties();
            properties.putAll(settings.shared());
            try (var writer = Files.newBufferedWriter(file)) {
                properties.store(writer, "bitnet-streams loadtest: the user's settings for its worker processes");
            }
        }
        return file;
    }

    public boolean embedded() {
        return infrastructure.embedded();
    }

    public TopicNames topics() {
        return settings.topics();
    }

    public Map<String, Object> clientConfig() {
        return infrastructure.clientConfig();
    }

    public Map<String, Object> serdeConfig() {
        return infrastructure.serdeConfig();
    }

    public String bootstrapServers() {
        return infrastructure.bootstrapServers();
    }

    public String registryUrl() {
        return infrastructure.registryUrl();
    }

    /**
     * The processes of a stack started here, by name (prefixed {@link io.bitnetstreams.loadtest.run.RunResult#STACK_PREFIX}):
     * this JVM (broker, topology, generator, result tap) and the schema registry; none for an existing cluster.
     */
    public Map<String, Long> stackProcesses() {
        if (!infrastructure.embedded()) {
            return Map.of();
        }
        Map<String, Long> processes = new java.util.LinkedHashMap<>();
        processes.put(io.bitnetstreams.loadtest.run.RunResult.STACK_PREFIX + "broker + topology + generator",
                ProcessHandle.current().pid());
        infrastructure.registryPid().ifPresent(pid ->
                processes.put(io.bitnetstreams.loadtest.run.RunResult.STACK_PREFIX + "schema registry", pid));
        return processes;
    }

    /** Work items the workers have not committed yet. */
    public long workerLag() {
        TopicNames t = settings.topics();
        return lag.lag(settings.workerGroup(), List.of(t.workClassify(), t.workExtract(), t.workGenerate()));
    }

    /** Requests and work results the topology has not committed yet. */
    public long topologyLag() {
        return lag.lag(settings.topologyAppId(), List.of(settings.topics().requests(), settings.topics().workResults()));
    }

    /**
     * Starts worker processes and waits until each consumes and the group has settled with at least {@code count}
     * members, every one with partitions.
     */
    public WorkerProcesses startWorkers(String tag, int count, int threads, int batch, Map<String, String> extraSettings,
                                        List<String> jvmOptions, Path logDir, Duration timeout) throws IOException {
        List<WorkerLaunch.Spec> specs = workerSpecs(tag, count, threads, batch, extraSettings, jvmOptions);
        WorkerProcesses workers = WorkerProcesses.start(specs, logDir, timeout);
        try {
            awaitGroup(count, timeout);
        } catch (RuntimeException e) {
            workers.close();
            throw e;
        }
        return workers;
    }

    /** How each worker process is started: the topics and group of this cluster, then {@code extraSettings}. */
    List<WorkerLaunch.Spec> workerSpecs(String tag, int count, int threads, int batch, Map<String, String> extraSettings,
                                        List<String> jvmOptions) throws IOException {
        List<WorkerLaunch.Spec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> values = new java.util.LinkedHashMap<>();
            TopicNames t = settings.topics();
            values.put(TopicNames.WORK_CLASSIFY, t.workClassify());
            values.put(TopicNames.WORK_EXTRACT, t.workExtract());
            values.put(TopicNames.WORK_GENERATE, t.workGenerate());
            values.put(TopicNames.WORK_RESULTS, t.workResults());
            values.put(TopicNames.DEAD_LETTERS, t.deadLetters());
            values.put("group.id", settings.workerGroup());
            if (settings.commitIntervalMs() > 0) {
                values.put("bitnet.commit.interval.ms", Integer.toString(settings.commitIntervalMs()));
            }
            // a stopped run should not wait half a minute for in-flight work
            values.put("bitnet.shutdown.grace.ms", "5000");
            values.putAll(extraSettings);
            specs.add(new WorkerLaunch.Spec(tag + "-" + i, settings.model(), threads, batch, bootstrapServers(), registryUrl(),
                    values, jvmOptions, sharedSettingsFile()));
        }
        return specs;
    }

    private void awaitGroup(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(settings.workerGroup())).all()
                        .get(10, TimeUnit.SECONDS).get(settings.workerGroup());
                Collection<?> members = group.members();
                boolean assigned = group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                last = group.groupState() + " with " + members.size() + " members";
                if (group.groupState() == GroupState.STABLE && members.size() >= count && assigned) {
                    return;
                }
            } catch (Exception e) {
                last = e.toString();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("the worker group " + settings.workerGroup() + " did not settle with " + count
                + " members in time (last: " + last + ")");
    }

    /**
     * The serializer of every run's requests and the deserializer of every run's answers, one each for the whole
     * study: the schema lookups they cache (HTTP calls to the registry) are made during the warm-up, not in the first
     * measured request's latency.
     */
    public synchronized AvroSerializer<InferenceRequest> requestSerializer() {
        if (requestSerializer == null) {
            requestSerializer = new AvroSerializer<>();
            requestSerializer.configure(serdeConfig(), false);
        }
        return requestSerializer;
    }

    /** See {@link #requestSerializer()}. */
    public synchronized AvroDeserializer<SpecificRecord> answerDeserializer() {
        if (answerDeserializer == null) {
            answerDeserializer = new AvroDeserializer<>();
            answerDeserializer.configure(serdeConfig(), false);
        }
        return answerDeserializer;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (requestSerializer != null) {
                requestSerializer.close();
            }
            if (answerDeserializer != null) {
                answerDeserializer.close();
            }
        }
        lag.close();
        admin.close(Duration.ofSeconds(5));
        if (topology != null) {
            try {
                topology.close();
            } catch (RuntimeException e) {
                LOG.warn("topology close failed: {}", e.toString());
            }
        }
        infrastructure.close();
    }
}

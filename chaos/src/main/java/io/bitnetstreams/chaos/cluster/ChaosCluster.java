package io.bitnetstreams.chaos.cluster;

import io.bitnetstreams.contract.TopicNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline as separate OS processes on this machine: a KRaft controller quorum and three brokers, the
 * registry, two topology instances and three workers (two on the deterministic keyword executor for classify and
 * extract, one on the engine with a synthetic model for generate), all in one directory of its own. Closing (or the
 * JVM's shutdown, even after a failure) kills every process and removes the directory unless it is to be kept.
 */
public final class ChaosCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosCluster.class);
    private static final Pattern TOPOLOGY_READY = Pattern.compile("topology \\S+ started; HTTP on");
    private static final Pattern WORKER_READY = Pattern.compile("worker \\S+ consuming");

    /**
     * @param dir          where everything goes (created; removed at the end unless {@code keepDir})
     * @param launcherDir  the launcher module's {@code target} with the packaged jar and {@code lib/}
     * @param model        the synthetic model the engine worker runs (the topology counts tokens with its tokenizer)
     * @param partitions   partitions of the pipeline's topics
     * @param controllers  size of the controller quorum
     */
    public record Settings(Path dir, boolean keepDir, Path launcherDir, Path model, int partitions, int controllers,
                           Duration startTimeout) {
    }

    private final Settings settings;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private KafkaProcesses kafka;
    private RegistryNode registry;
    private final List<ChildProcess> topologies = new ArrayList<>();
    private final List<ChildProcess> workers = new ArrayList<>();

    private ChaosCluster(Settings settings) {
        this.settings = settings;
        this.shutdownHook = new Thread(this::close, "chaos-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts every process and returns once the topology instances and workers are up. */
    public static ChaosCluster start(Settings settings) {
        ChaosCluster cluster = new ChaosCluster(settings);
        try {
            cluster.startAll();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() {
        Ports ports = new Ports();
        Path logs = settings.dir().resolve("logs");
        kafka = KafkaProcesses.start(settings.controllers(), 3, settings.dir().resolve("kafka"), ports, settings.startTimeout());
        registry = new RegistryNode(settings.dir().resolve("registry"), ports, settings.startTimeout()).start();
        LauncherProcesses launcher = new LauncherProcesses(settings.launcherDir(), logs, kafka.bootstrapServers(), registry.url());
        Map<String, String> topologySettings = new LinkedHashMap<>();
        topologySettings.put("bitnet.topics.replication", "3");
        topologySettings.put("bitnet.topics.partitions", Integer.toString(settings.partitions()));
        for (int i = 1; i <= 2; i++) {
            topologies.add(launcher.topology("topology-" + i, settings.model(),
                    settings.dir().resolve("streams-state-" + i), topologySettings));
        }
        workers.add(launcher.worker("worker-1", "keyword", "classify,extract", Map.of()));
        workers.add(launcher.worker("worker-2", "keyword", "classify,extract", Map.of()));
        workers.add(launcher.worker("worker-3", settings.model().toString(), "generate", Map.of()));
        // the first topology instance creates the topics; then the second one and the workers start together
        topologies.getFirst().start().awaitOutput(TOPOLOGY_READY, settings.startTimeout());
        topologies.getLast().start();
        workers.forEach(ChildProcess::start);
        topologies.getLast().awaitOutput(TOPOLOGY_READY, settings.startTimeout());
        workers.forEach(w -> w.awaitOutput(WORKER_READY, settings.startTimeout()));
        LOG.info("cluster up in {}: {} controller(s), 3 brokers, registry, 2 topology instances, 3 workers",
                settings.dir(), settings.controllers());
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public TopicNames topics() {
        return TopicNames.DEFAULTS;
    }

    public KafkaProcesses kafka() {
        return kafka;
    }

    public RegistryNode registry() {
        return registry;
    }

    public List<ChildProcess> topologies() {
        return topologies;
    }

    public List<ChildProcess> workers() {
        return workers;
    }

    /** Processes of the pipeline that are not running although nobody stopped them. */
    public List<ChildProcess> dead() {
        List<ChildProcess> all = new ArrayList<>(topologies);
        all.addAll(workers);
        if (kafka != null) {
            all.addAll(kafka.brokers());
            all.addAll(kafka.controllers());
        }
        return all.stream().filter(p -> !p.alive()).toList();
    }

    public Path dir() {
        return settings.dir();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // hard, like the faults: nothing of this run is worth a graceful shutdown, and SIGKILL cannot hang
        workers.forEach(ChildProcess::kill);
        topologies.forEach(ChildProcess::kill);
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (!settings.keepDir()) {
            deleteTree(settings.dir());
        } else {
            LOG.info("kept the run's directory {}", settings.dir());
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", path, e.getMessage());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot remove {}: {}", dir, e.getMessage());
        }
    }
}

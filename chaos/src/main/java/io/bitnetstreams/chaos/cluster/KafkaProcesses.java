package io.bitnetstreams.chaos.cluster;

import io.bitnetstreams.devstack.process.ChildJvm;
import io.bitnetstreams.devstack.registry.ParentWatchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of separate OS processes on loopback: a controller quorum ({@code process.roles=controller}) and
 * brokers ({@code process.roles=broker}), each its own JVM running {@code kafka.Kafka} from the broker jars of Maven
 * Central on this JVM's classpath, each with its own log directory and fixed ports (so a restarted node comes back
 * at the same address with the same data). Topics default to replication 3 and {@code min.insync.replicas} 2, the
 * internal topics too. Every node runs under the devstack's {@link ParentWatchdog}: it ends when this JVM ends,
 * even after a SIGKILL.
 */
public final class KafkaProcesses implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProcesses.class);
    private static final Pattern STARTED = Pattern.compile("Kafka Server started");
    private static final int FIRST_CONTROLLER_ID = 100;
    private static final List<String> NODE_JVM = List.of("-Xms96m", "-Xmx448m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final List<ChildProcess> controllers;
    private final List<ChildProcess> brokers;
    private final String bootstrapServers;
    private final Duration startTimeout;

    private KafkaProcesses(List<ChildProcess> controllers, List<ChildProcess> brokers, String bootstrapServers,
                           Duration startTimeout) {
        this.controllers = controllers;
        this.brokers = brokers;
        this.bootstrapServers = bootstrapServers;
        this.startTimeout = startTimeout;
    }

    /** Formats the nodes' storage and starts them all; returns once every broker has started. */
    public static KafkaProcesses start(int controllerCount, int brokerCount, Path dir, Ports ports, Duration startTimeout) {
        String clusterId = Uuid.randomUuid().toString();
        Path logDir = dir.resolve("logs");
        Path log4j = writeLogConfig(dir);
        Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
        for (int i = 0; i < controllerCount; i++) {
            controllerPorts.put(FIRST_CONTROLLER_ID + i, ports.free());
        }
        String voters = controllerPorts.entrySet().stream().map(e -> e.getKey() + "@127.0.0.1:" + e.getValue())
                .collect(Collectors.joining(","));
        List<Path> configs = new ArrayList<>();
        List<ChildProcess> controllers = new ArrayList<>();
        List<ChildProcess> brokers = new ArrayList<>();
        List<String> bootstrap = new ArrayList<>();
        for (var entry : controllerPorts.entrySet()) {
            Path config = writeProperties(dir.resolve("controller-" + entry.getKey() + ".properties"),
                    controllerProperties(entry.getKey(), entry.getValue(), voters, dir.resolve("data/controller-" + entry.getKey())));
            configs.add(config);
            controllers.add(node("controller-" + entry.getKey(), config, log4j, logDir));
        }
        for (int id = 1; id <= brokerCount; id++) {
            int port = ports.free();
            bootstrap.add("127.0.0.1:" + port);
            Path config = writeProperties(dir.resolve("broker-" + id + ".properties"),
                    brokerProperties(id, port, voters, dir.resolve("data/broker-" + id), brokerCount));
            configs.add(config);
            brokers.add(node("broker-" + id, config, log4j, logDir));
        }
        format(clusterId, configs, log4j, logDir, startTimeout);
        KafkaProcesses cluster = new KafkaProcesses(controllers, brokers, String.join(",", bootstrap), startTimeout);
        try {
            controllers.forEach(ChildProcess::start);
            brokers.forEach(ChildProcess::start);
            for (ChildProcess node : controllers) {
                node.awaitOutput(STARTED, startTimeout);
            }
            for (ChildProcess node : brokers) {
                node.awaitOutput(STARTED, startTimeout);
            }
            LOG.info("Kafka cluster {}: {} controller(s), {} brokers at {}", clusterId, controllerCount, brokerCount,
                    cluster.bootstrapServers);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    static Map<String, String> controllerProperties(int id, int port, String voters, Path data) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "controller");
        p.put("node.id", Integer.toString(id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "CONTROLLER://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", data.toString());
        // KRaft applies topic defaults where topics are created: on the controller
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        return p;
    }

    static Map<String, String> brokerProperties(int id, int port, String voters, Path data, int brokerCount) {
        int replication = Math.min(3, brokerCount);
        int minIsr = Math.max(1, replication - 1);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker");
        p.put("node.id", Integer.toString(id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", data.toString());
        // every topic, the internal ones too: 3 copies, a write needs 2 (so one broker may be down)
        p.put("default.replication.factor", Integer.toString(replication));
        p.put("min.insync.replicas", Integer.toString(minIsr));
        p.put("offsets.topic.replication.factor", Integer.toString(replication));
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", Integer.toString(replication));
        p.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        p.put("transaction.state.log.num.partitions", "10");
        p.put("unclean.leader.election.enable", "false");
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        return p;
    }

    private static ChildProcess node(String name, Path config, Path log4j, Path logDir) {
        List<String> command = ChildJvm.java(List.of(), NODE_JVM);
        command.addAll(List.of("-Dlog4j2.configurationFile=" + log4j, "-Djava.io.tmpdir=" + log4j.getParent(),
                "-cp", System.getProperty("java.class.path"), ParentWatchdog.class.getName(), Long.toString(ProcessHandle.current().pid()), "kafka.Kafka", config.toString()));
        return new ChildProcess(name, command, Map.of(), logDir);
    }

    /** {@code kafka-storage format} for every node at once (each a short JVM). */
    private static void format(String clusterId, List<Path> configs, Path log4j, Path logDir, Duration timeout) {
        List<ChildProcess> formats = new ArrayList<>();
        for (Path config : configs) {
            List<String> command = ChildJvm.java(List.of(),
                    List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            command.addAll(List.of("-Dlog4j2.configurationFile=" + log4j, "-cp", System.getProperty("java.class.path"),
                    "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
            String name = "format-" + config.getFileName().toString().replace(".properties", "");
            formats.add(new ChildProcess(name, command, Map.of(), logDir).start());
        }
        for (ChildProcess format : formats) {
            int status = format.awaitExit(timeout);
            if (status != 0 || !format.outputSinceStart().contains("Formatting")) {
                throw new IllegalStateException(format.name() + " failed (status " + status + "):\n"
                        + ChildProcess.tail(format.outputSinceStart()));
            }
        }
    }

    private static Path writeProperties(Path file, Map<String, String> properties) {
        StringBuilder text = new StringBuilder();
        properties.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeLogConfig(Path dir) {
        String config = """
                status = warn
                appender.out.type = Console
                appender.out.name = OUT
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = [%d] %p %m (%c)%n
                rootLogger.level = WARN
                rootLogger.appenderRef.out.ref = OUT
                logger.raft.name = kafka.server.KafkaRaftServer
                logger.raft.level = INFO
                logger.format.name = kafka.tools
                logger.format.level = INFO
                """;
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("kafka-log4j2.properties"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<ChildProcess> brokers() {
        return brokers;
    }

    public List<ChildProcess> controllers() {
        return controllers;
    }

    /**
     * SIGKILL to a broker, then the same broker again (same ports, same data). Returns at once; a thread of its own
     * logs when the broker has started (or that it did not), so that the run goes on while it recovers.
     */
    public void hardRestart(ChildProcess broker) {
        broker.kill();
        broker.start();
        Thread.ofPlatform().daemon().name("await-" + broker.name()).start(() -> {
            try {
                broker.awaitOutput(STARTED, startTimeout);
                LOG.info("{} is back (pid {})", broker.name(), broker.pid());
            } catch (RuntimeException e) {
                LOG.error("{} did not come back: {}", broker.name(), e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        brokers.forEach(ChildProcess::kill);
        controllers.forEach(ChildProcess::kill);
    }
}

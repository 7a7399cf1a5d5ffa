package io.bitnetstreams.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.config.EnvironmentRule;
import io.bitnetstreams.contract.config.Secrets;
import io.bitnetstreams.engine.download.ModelSource;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.http.StatusServer;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.http.HealthServer;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A container of our image, checked against the code: its subcommand exists, its environment passes that
 * subcommand's configuration loader (the one the process runs), every Kafka key it passes through is a real
 * client/Streams/serde property, secrets come from Secrets, and its probes ask the paths and port its HTTP server
 * serves.
 */
final class PipelineContainer {

    static final Set<String> HEALTH_PATHS = Set.of(HealthServer.HEALTH, HealthServer.LIVE, HealthServer.READY);
    private static final Set<String> KAFKA_KEYS = kafkaKeys();

    final Workload workload;
    TopologyConfig topology;
    WorkerConfig worker;
    ModelSource pulled;
    String pullDirectory;

    private PipelineContainer(Workload workload) {
        this.workload = workload;
    }

    /** Runs the checks of its subcommand; fails naming the container and what is wrong. */
    static PipelineContainer check(Workload workload) {
        var container = new PipelineContainer(workload);
        String owner = workload.owner();
        checkVariables(workload);
        switch (workload.subcommand()) {
            case "topology" -> {
                container.topology = TopologyConfig.load(null, workload.environment(), Map.of());
                assertThat(StatusServer.HEALTH).isEqualTo(HealthServer.HEALTH);
                assertThat(StatusServer.READY).isEqualTo(HealthServer.READY);
                container.checkProbes(container.topology.httpPort());
            }
            case "worker" -> {
                container.worker = WorkerConfig.load(null, workload.environment(), Map.of());
                container.checkProbes(container.worker.httpPort());
            }
            case "pull" -> {
                List<String> args = workload.args();
                assertThat(args).as(owner + ": pull SOURCE --output-dir DIR").contains("--output-dir");
                container.pulled = ModelSource.parse(args.get(1));
                container.pullDirectory = args.get(args.indexOf("--output-dir") + 1);
            }
            default -> throw new AssertionError(owner + ": the image has no subcommand '" + workload.subcommand()
                    + "' (topology, worker, pull, submit)");
        }
        return container;
    }

    /** Every variable the rule maps to a key outside bitnet.* must be a real Kafka/Streams/serde property. */
    private static void checkVariables(Workload workload) {
        workload.environment().forEach((variable, value) -> {
            EnvironmentRule.keyOf(variable).ifPresent(key -> {
                if (!key.startsWith("bitnet.")) {
                    assertThat(KAFKA_KEYS.contains(key) || isSerdeKey(key))
                            .as("%s: %s sets '%s', which no Kafka client, Kafka Streams or the serde knows", workload.owner(), variable, key)
                            .isTrue();
                }
                if (Secrets.isSecret(key)) {
                    assertThat(workload.secretVariables())
                            .as("%s: %s carries a secret (%s): it must come from a Secret, not a literal", workload.owner(), variable, key)
                            .contains(variable);
                }
            });
        });
    }

    private void checkProbes(int httpPort) {
        assertThat(workload.probes()).as(workload.owner() + ": health probes").isNotEmpty();
        workload.probes().forEach((kind, probe) -> {
            assertThat(HEALTH_PATHS).as("%s: %s path %s", workload.owner(), kind, probe.path()).contains(probe.path());
            assertThat(probe.port()).as("%s: %s port (the HTTP server listens on %d)", workload.owner(), kind, httpPort).isEqualTo(httpPort);
        });
        workload.probes().entrySet().stream().filter(e -> e.getKey().startsWith("readiness"))
                .forEach(e -> assertThat(e.getValue().path()).as(workload.owner() + ": readiness").isEqualTo(HealthServer.READY));
    }

    /** The work topics the worker consumes. */
    Set<String> workTopics() {
        Set<String> topics = new LinkedHashSet<>();
        for (TaskKind kind : worker.tasks()) {
            topics.add(worker.topics().work(kind));
        }
        return topics;
    }

    private static boolean isSerdeKey(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.") || key.equals("auto.register.schemas")
                || key.equals("use.latest.version") || key.endsWith(".subject.name.strategy");
    }

    private static Set<String> kafkaKeys() {
        Set<String> keys = new HashSet<>(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        keys.addAll(StreamsConfig.configDef().names());
        return keys;
    }
}

package io.bitnetstreams.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders every overlay of k8s/ with {@code kubectl kustomize} (offline) and holds the objects to the code: images,
 * environment (through each subcommand's configuration loader), probes, the KEDA trigger's consumer group and
 * topics, partitions versus the most worker replicas, monitors, services and secrets.
 */
class KubernetesManifestsTest {

    static final Path REPO = Path.of(System.getProperty("bitnet.repo.dir", ".."));
    static final String IMAGE = System.getProperty("bitnet.image", "bitnet-streams:0.1.0-SNAPSHOT");
    private static final List<String> OVERLAYS = List.of("dev", "prod", "hpa", "strimzi", "strimzi-connect");

    @Test
    void everyOverlayIsChecked() throws IOException {
        try (Stream<Path> dirs = Files.list(REPO.resolve("k8s/overlays"))) {
            Set<String> found = dirs.map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(found).containsExactlyInAnyOrderElementsOf(OVERLAYS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "hpa", "strimzi", "strimzi-connect"})
    void overlayMatchesTheCode(String overlay) throws Exception {
        List<Map<String, Object>> objects = render(REPO.resolve("k8s/overlays").resolve(overlay));
        var rendered = new Rendered(objects);

        // images: ours exactly as the build tags it; every container has one
        List<PipelineContainer> ours = new ArrayList<>();
        rendered.workloads.forEach(w -> {
            assertThat(w.image()).as(w.owner() + ": image").isNotBlank();
            if (w.image().contains("bitnet-streams")) {
                assertThat(w.image()).as(w.owner() + ": the image the build produces").isEqualTo(IMAGE);
                ours.add(PipelineContainer.check(w));
            }
        });
        PipelineContainer topology = only(ours, "topology");
        PipelineContainer worker = only(ours, "worker");
        PipelineContainer pull = only(ours, "pull");

        // the topology advertises <pod>.<headless service> and that service exists, selecting it
        Map<String, Object> headless = rendered.headlessServiceOf("topology");
        assertThat(topology.topology.advertisedHost()).as("topology advertised host")
                .isEqualTo("<field:metadata.name>." + name(headless));

        // the init container fills the volume the worker loads its model from
        String modelPath = pull.pullDirectory + "/" + pull.pulled.fileName();
        assertThat(worker.worker.model()).as("worker model = what the init container pulls").isEqualTo(modelPath);
        assertThat(volumeOf(pull.workload, pull.pullDirectory)).as("pull and worker share the model volume")
                .isEqualTo(volumeOf(worker.workload, modelPath));

        // scaling: the KEDA trigger (or the HPA) names the real group and topics; partitions >= max replicas
        Set<String> workTopics = worker.workTopics();
        int maxReplicas;
        Map<String, Object> scaledObject = rendered.first("ScaledObject");
        if (scaledObject != null) {
            Map<String, Object> spec = map(scaledObject.get("spec"));
            assertThat(map(spec.get("scaleTargetRef")).get("name")).isEqualTo(rendered.workerDeploymentName());
            Set<String> triggerTopics = new TreeSet<>();
            for (Map<String, Object> trigger : Workload.list(spec.get("triggers"))) {
                assertThat(trigger.get("type")).isEqualTo("kafka");
                Map<String, Object> metadata = map(trigger.get("metadata"));
                assertThat(metadata.get("consumerGroup")).as("KEDA consumer group").isEqualTo(worker.worker.groupId());
                assertThat(worker.workload.environment()).as("bootstrapServersFromEnv names a worker variable")
                        .containsKey((String) metadata.get("bootstrapServersFromEnv"));
                assertThat(Integer.parseInt((String) metadata.get("lagThreshold"))).isPositive();
                triggerTopics.add((String) metadata.get("topic"));
            }
            assertThat(triggerTopics).as("KEDA topics = the worker's work topics").containsExactlyInAnyOrderElementsOf(workTopics);
            maxReplicas = (Integer) spec.get("maxReplicaCount");
            assertThat((Integer) spec.get("minReplicaCount")).isBetween(1, maxReplicas);
        } else {
            Map<String, Object> hpa = rendered.first("HorizontalPodAutoscaler");
            assertThat(hpa).as(overlay + ": a ScaledObject or an HPA scales the workers").isNotNull();
            Map<String, Object> spec = map(hpa.get("spec"));
            assertThat(map(spec.get("scaleTargetRef")).get("name")).isEqualTo(rendered.workerDeploymentName());
            maxReplicas = (Integer) spec.get("maxReplicas");
        }
        for (String topic : workTopics) {
            int partitions = rendered.kafkaTopicPartitions().getOrDefault(topic, topology.topology.partitions());
            assertThat(partitions).as("%s: partitions of %s (extra workers beyond them sit idle)", overlay, topic)
                    .isGreaterThanOrEqualTo(maxReplicas);
        }

        // monitors and services point at ports that exist
        for (Map<String, Object> monitor : rendered.all("PodMonitor")) {
            Map<String, Object> spec = map(monitor.get("spec"));
            Map<String, Object> labels = map(map(spec.get("selector")).get("matchLabels"));
            List<Workload> targets = rendered.podsMatching(labels);
            if (labels.containsKey("strimzi.io/cluster")) {
                continue; // Strimzi's own pods, made by the operator
            }
            assertThat(targets).as("PodMonitor " + name(monitor) + " selects pods").isNotEmpty();
            for (Map<String, Object> endpoint : Workload.list(spec.get("podMetricsEndpoints"))) {
                assertThat(targets).as("PodMonitor " + name(monitor) + " port").anySatisfy(t -> assertThat(t.ports()).containsKey((String) endpoint.get("port")));
            }
        }
        for (Map<String, Object> service : rendered.all("Service")) {
            Map<String, Object> labels = map(map(service.get("spec")).get("selector"));
            assertThat(rendered.podsMatching(labels)).as("Service " + name(service) + " selects pods").isNotEmpty();
        }
        // pods the PDBs protect exist
        for (Map<String, Object> pdb : rendered.all("PodDisruptionBudget")) {
            assertThat(rendered.podsMatching(map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")))).isNotEmpty();
        }
        // credentials are referenced, never inlined
        assertThat(rendered.all("Secret")).as("Secrets in the manifests").isEmpty();
        // the topology has 2+ instances everywhere but dev; workers have a PodDisruptionBudget
        if (!overlay.equals("dev")) {
            assertThat((Integer) map(rendered.named("StatefulSet", "topology").get("spec")).get("replicas")).isGreaterThanOrEqualTo(2);
        }
        assertThat(rendered.all("PodDisruptionBudget").stream().map(KubernetesManifestsTest::name)).contains("worker", "topology");
    }

    private static String volumeOf(Workload workload, String path) {
        return workload.mounts().entrySet().stream().filter(m -> path.startsWith(m.getKey() + "/") || path.equals(m.getKey()))
                .map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError(workload.owner() + ": " + path + " is on no mounted volume"));
    }

    private static PipelineContainer only(List<PipelineContainer> containers, String subcommand) {
        List<PipelineContainer> found = containers.stream().filter(c -> c.workload.subcommand().equals(subcommand)).toList();
        assertThat(found).as("containers running '" + subcommand + "'").hasSize(1);
        return found.getFirst();
    }

    static List<Map<String, Object>> render(Path overlay) throws Exception {
        assumeTrue(kubectlAvailable(), "kubectl is not installed: the Kubernetes manifests are not rendered (install kubectl 1.32+)");
        Process process = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).redirectErrorStream(false).start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", overlay, errors).isZero();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return objects;
    }

    private static boolean kubectlAvailable() {
        try {
            Process process = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    static String name(Map<String, Object> object) {
        return (String) map(object.get("metadata")).get("name");
    }

    /** The rendered objects, indexed. */
    static final class Rendered {
        final List<Map<String, Object>> objects;
        final Map<String, Map<String, String>> configMaps = new HashMap<>();
        final List<Workload> workloads = new ArrayList<>();
        final Map<Workload, Map<String, Object>> podLabels = new LinkedHashMap<>();

        Rendered(List<Map<String, Object>> objects) {
            this.objects = objects;
            for (Map<String, Object> configMap : all("ConfigMap")) {
                Map<String, String> data = new HashMap<>();
                map(configMap.get("data")).forEach((k, v) -> data.put(k, String.valueOf(v)));
                configMaps.put(name(configMap), data);
            }
            for (Map<String, Object> object : objects) {
                String kind = (String) object.get("kind");
                if (Set.of("Deployment", "StatefulSet", "Job", "DaemonSet").contains(kind)) {
                    Map<String, Object> template = map(map(object.get("spec")).get("template"));
                    for (Workload workload : Workload.ofPod(kind + "/" + name(object), map(template.get("spec")), configMaps)) {
                        workloads.add(workload);
                        podLabels.put(workload, map(map(template.get("metadata")).get("labels")));
                    }
                }
            }
        }

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> first(String kind) {
            return all(kind).stream().findFirst().orElse(null);
        }

        Map<String, Object> named(String kind, String name) {
            return all(kind).stream().filter(o -> name.equals(name(o))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
        }

        List<Workload> podsMatching(Map<String, Object> selector) {
            return podLabels.entrySet().stream().filter(e -> e.getValue().entrySet().containsAll(selector.entrySet()))
                    .map(Map.Entry::getKey).toList();
        }

        String workerDeploymentName() {
            return workloads.stream().filter(w -> w.subcommand().equals("worker")).map(w -> w.owner().split("/")[1])
                    .findFirst().orElseThrow();
        }

        Map<String, Object> headlessServiceOf(String app) {
            return all("Service").stream()
                    .filter(s -> "None".equals(map(s.get("spec")).get("clusterIP")))
                    .filter(s -> app.equals(map(map(s.get("spec")).get("selector")).get("app.kubernetes.io/name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no headless Service for " + app));
        }

        /** Partitions of topics declared as Strimzi KafkaTopics, by topic name. */
        Map<String, Integer> kafkaTopicPartitions() {
            Map<String, Integer> partitions = new HashMap<>();
            for (Map<String, Object> topic : all("KafkaTopic")) {
                Map<String, Object> spec = map(topic.get("spec"));
                partitions.put((String) spec.getOrDefault("topicName", name(topic)), (Integer) spec.get("partitions"));
            }
            return partitions;
        }
    }
}

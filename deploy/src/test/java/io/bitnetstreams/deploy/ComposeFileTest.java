package io.bitnetstreams.deploy;

import static io.bitnetstreams.deploy.KubernetesManifestsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml with .env interpolated (the way {@code docker compose config} does it), held to the code: our
 * image as the build tags it, each service's environment through its subcommand's loader, health checks on the
 * right path and port, workers without host ports, Prometheus scraping every part, and the dashboard.
 */
class ComposeFileTest {

    private static final Path REPO = KubernetesManifestsTest.REPO;
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    private static Map<String, String> dotEnv;
    private static Map<String, Object> services;

    @BeforeAll
    static void load() throws IOException {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(REPO.resolve(".env"))) {
            properties.load(reader);
        }
        dotEnv = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> dotEnv.put(k, properties.getProperty(k)));
        String text = interpolate(Files.readString(REPO.resolve("docker-compose.yml")), dotEnv);
        services = map(map(new Yaml().load(text)).get("services"));
    }

    /** {@code ${VAR}} and {@code ${VAR:-default}} from .env; an undefined variable without default fails. */
    static String interpolate(String text, Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                value = matcher.group(2);
            }
            if (value == null) {
                throw new AssertionError("docker-compose.yml uses ${" + matcher.group(1) + "}, which .env does not define");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static Workload workload(String name) {
        Map<String, Object> service = map(services.get(name));
        Map<String, String> env = new LinkedHashMap<>();
        map(service.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        Map<String, Workload.Probe> probes = new LinkedHashMap<>();
        List<String> test = Workload.strings(map(service.get("healthcheck")).get("test"));
        if (!test.isEmpty()) {
            URI url = URI.create(test.getLast());
            probes.put("healthcheck", new Workload.Probe(url.getPath(), url.getPort()));
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String volume : Workload.strings(service.get("volumes"))) {
            String[] parts = volume.split(":");
            mounts.put(parts[1], parts[0]);
        }
        return new Workload("compose/" + name, (String) service.get("image"), Workload.strings(service.get("command")),
                env, List.of(), Map.of(), probes, mounts);
    }

    @Test
    void ourServicesRunTheBuiltImageWithConfigurationTheLoadersAccept() {
        Set<String> ours = new TreeSet<>();
        services.forEach((name, value) -> {
            String image = (String) map(value).get("image");
            assertThat(image).as(name + ": image").isNotBlank();
            if (image.contains("bitnet-streams")) {
                assertThat(image).as(name + ": the image the build produces").isEqualTo(KubernetesManifestsTest.IMAGE);
                ours.add(name);
            }
        });
        assertThat(ours).containsExactlyInAnyOrder("topology", "worker", "model");

        PipelineContainer topology = PipelineContainer.check(workload("topology"));
        PipelineContainer worker = PipelineContainer.check(workload("worker"));
        PipelineContainer pull = PipelineContainer.check(workload("model"));
        assertThat(topology.topology.advertisedHost()).as("other topology instances reach it by service name").isEqualTo("topology");
        assertThat(worker.worker.model()).isEqualTo(pull.pullDirectory + "/" + pull.pulled.fileName());
        assertThat(worker.workload.mounts()).containsEntry("/var/cache/bitnet-streams", "model-cache");
        assertThat(pull.workload.mounts()).containsEntry("/var/cache/bitnet-streams", "model-cache");
        // the topology creates the work topics with enough partitions for a few scaled workers
        assertThat(topology.topology.partitions()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void workersScaleHealthchecksGateStartsAndVersionsLiveInDotEnv() {
        Map<String, Object> worker = map(services.get("worker"));
        assertThat(worker).as("`--scale worker=N` needs workers without fixed host ports or names")
                .doesNotContainKeys("ports", "container_name", "hostname");
        assertThat(worker.get("environment").toString()).doesNotContain("BITNET_INSTANCE_ID");
        services.forEach((name, value) -> {
            map(map(value).get("depends_on")).forEach((dependency, condition) -> {
                String wanted = (String) map(condition).get("condition");
                assertThat(wanted).as(name + " waits for " + dependency).isIn("service_healthy", "service_completed_successfully");
                if (wanted.equals("service_healthy")) {
                    assertThat(map(services.get(dependency))).as(dependency + " needs a healthcheck").containsKey("healthcheck");
                }
            });
            if (!name.equals("model")) {
                assertThat(map(value)).as(name + ": healthcheck").containsKey("healthcheck");
            }
        });
        assertThat(dotEnv).containsKeys("BITNET_IMAGE", "KAFKA_IMAGE", "APICURIO_IMAGE", "PROMETHEUS_IMAGE", "GRAFANA_IMAGE");
        assertThat(dotEnv.get("KAFKA_IMAGE")).startsWith("apache/kafka:");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryPartOnItsMetricsPort() throws IOException {
        Map<String, Object> config = map(new Yaml().load(Files.readString(REPO.resolve("monitoring/prometheus/prometheus.yml"))));
        Map<String, Integer> dnsTargets = new LinkedHashMap<>();
        for (Map<String, Object> job : Workload.list(config.get("scrape_configs"))) {
            assertThat(job.getOrDefault("metrics_path", "/metrics")).isEqualTo("/metrics");
            for (Map<String, Object> sd : Workload.list(job.get("dns_sd_configs"))) {
                for (String name : (List<String>) sd.get("names")) {
                    dnsTargets.put(name, (Integer) sd.get("port"));
                }
            }
        }
        PipelineContainer topology = PipelineContainer.check(workload("topology"));
        PipelineContainer worker = PipelineContainer.check(workload("worker"));
        assertThat(dnsTargets).containsEntry("topology", topology.topology.httpPort()).containsEntry("worker", worker.worker.httpPort());
    }

    @Test
    void dashboardAsksForMetricsThePartsPublish() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(REPO.resolve("monitoring/grafana/dashboards/bitnet-streams.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText())));
        String published = MetricNames.scrape();
        Matcher names = Pattern.compile("\\b((?:bitnet|jvm|kafka)_[a-z0-9_]+)").matcher(String.join("\n", expressions));
        Set<String> missing = new TreeSet<>();
        while (names.find()) {
            // Kafka's own client metrics (records-lag per partition) appear only once a consumer fetches from a
            // broker; their Micrometer names are Kafka's and not ours to check here
            if (names.group(1).startsWith("kafka_")) {
                continue;
            }
            if (!published.contains("\n" + names.group(1) + "{") && !published.contains("\n" + names.group(1) + " ")) {
                missing.add(names.group(1));
            }
        }
        assertThat(missing).as("metrics the dashboard asks for that no part publishes").isEmpty();
        assertThat(String.join("\n", expressions)).contains("histogram_quantile(0.99", "bitnet_worker_queue_depth",
                "records_lag", "dead_letters", "jvm_memory_used_bytes", "tokens_generated");
    }
}

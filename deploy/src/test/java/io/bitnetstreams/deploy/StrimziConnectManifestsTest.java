package io.bitnetstreams.deploy;

import static io.bitnetstreams.deploy.KubernetesManifestsTest.map;
import static io.bitnetstreams.deploy.KubernetesManifestsTest.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.contract.TopicNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds k8s/overlays/strimzi-connect to the code: the KafkaConnect reaches the Strimzi cluster's TLS listener with
 * Strimzi's Secrets and runs the project's converter with exactly-once source support; every KafkaConnector names a
 * class that exists (ours on this classpath, Debezium's in its plugin directory), topics of the contract, paths on
 * a mounted volume, the same settings as its connectors/config/*.json, and no inlined password.
 */
class StrimziConnectManifestsTest {

    private static final Path OVERLAY = KubernetesManifestsTest.REPO.resolve("k8s/overlays/strimzi-connect");
    private static final Path DEBEZIUM_PLUGIN = KubernetesManifestsTest.REPO.resolve("connectors/target/connect-plugins");
    /** A value a Connect config provider resolves on the worker: ${provider:path:key}. */
    private static final Pattern PROVIDED = Pattern.compile("\\$\\{(secrets|file|directory):([^}:]+):([^}]+)}");
    /** Settings that differ from connectors/config/*.json by design: where files and the database are, credentials. */
    private static final Set<String> SITE_SPECIFIC = Set.of("directories", "file", "connection.url", "connection.password");

    private static KubernetesManifestsTest.Rendered rendered;
    private static Map<String, Object> connect;

    @BeforeAll
    static void render() throws Exception {
        rendered = new KubernetesManifestsTest.Rendered(KubernetesManifestsTest.render(OVERLAY));
        assertThat(rendered.all("KafkaConnect")).as("one KafkaConnect").hasSize(1);
        connect = rendered.first("KafkaConnect");
    }

    @Test
    void connectReachesTheStrimziClusterWithItsSecrets() {
        Map<String, Object> spec = map(connect.get("spec"));
        assertThat(map(map(connect.get("metadata")).get("annotations")).get("strimzi.io/use-connector-resources")).isEqualTo("true");

        Map<String, Object> kafka = rendered.first("Kafka");
        String cluster = name(kafka);
        Map<String, Object> tlsListener = Workload.list(map(map(kafka.get("spec")).get("kafka")).get("listeners")).stream()
                .filter(l -> Boolean.TRUE.equals(l.get("tls"))).findFirst().orElseThrow(() -> new AssertionError("no TLS listener"));
        assertThat(spec.get("bootstrapServers")).as("bootstrap = the cluster's TLS listener")
                .isEqualTo(cluster + "-kafka-bootstrap:" + tlsListener.get("port"));
        assertThat(Workload.list(map(spec.get("tls")).get("trustedCertificates")))
                .as("trusts the cluster CA").extracting(c -> c.get("secretName")).containsExactly(cluster + "-cluster-ca-cert");
        Map<String, Object> authentication = map(spec.get("authentication"));
        assertThat(authentication.get("type")).isEqualTo(map(tlsListener.get("authentication")).get("type"));
        assertThat(map(authentication.get("certificateAndKey")).get("secretName")).as("a KafkaUser's Secret")
                .isIn(rendered.all("KafkaUser").stream().map(KubernetesManifestsTest::name).toList());
    }

    @Test
    void workerConfigNamesRealClassesAndTheRegistry() throws Exception {
        Map<String, Object> config = map(map(connect.get("spec")).get("config"));
        assertThat(config.get("exactly.once.source.support")).isEqualTo("enabled");
        assertThat(loadable((String) config.get("value.converter"))).as("value.converter").isNotNull()
                .satisfies(c -> assertThat(Converter.class).isAssignableFrom(c));
        assertThat(loadable((String) config.get("key.converter"))).as("key.converter").isNotNull();

        Map<String, Object> registry = map(rendered.named("Service", "registry").get("spec"));
        int port = (Integer) Workload.list(registry.get("ports")).getFirst().get("port");
        assertThat(config.get("value.converter.schema.registry.url")).as("the registry Service's Confluent-compatible API")
                .isEqualTo("http://registry:" + port + "/apis/ccompat/v7");
    }

    @Test
    void connectorsNameClassesAndTopicsThatExist() throws Exception {
        List<Map<String, Object>> connectors = rendered.all("KafkaConnector");
        assertThat(connectors).extracting(KubernetesManifestsTest::name).contains("documents", "classification-rows", "results-file");
        Set<String> contractTopics = Set.copyOf(TopicNames.DEFAULTS.all());
        Set<String> declaredTopics = rendered.kafkaTopicPartitions().keySet();
        for (Map<String, Object> connector : connectors) {
            String owner = "KafkaConnector " + name(connector);
            assertThat(map(map(connector.get("metadata")).get("labels")).get("strimzi.io/cluster")).as(owner + " cluster")
                    .isEqualTo(name(connect));
            Map<String, Object> spec = map(connector.get("spec"));
            String connectorClass = (String) spec.get("class");
            assertThat(connectorClassExists(connectorClass)).as(owner + ": class " + connectorClass + " exists").isTrue();

            Map<String, String> config = strings(map(spec.get("config")));
            Set<String> topics = new TreeSet<>();
            Stream.of("topics", "topic", "dead.letter.topic").map(config::get).filter(v -> v != null)
                    .forEach(v -> topics.addAll(List.of(v.split(","))));
            assertThat(topics).as(owner + " topics").isNotEmpty();
            assertThat(contractTopics).as(owner + ": topics of TopicNames.DEFAULTS").containsAll(topics);
            assertThat(declaredTopics).as(owner + ": topics declared as KafkaTopics").containsAll(topics);

            for (String alias : config.getOrDefault("transforms", "").split(",")) {
                if (!alias.isBlank()) {
                    Class<?> transform = loadable(config.get("transforms." + alias.strip() + ".type"));
                    assertThat(transform).as(owner + ": transform " + alias).isNotNull();
                    assertThat(Transformation.class).isAssignableFrom(transform);
                }
            }
        }
    }

    @Test
    void connectorsMatchTheExampleConfigsAndReadFilesFromTheVolume() throws IOException {
        Map<String, JsonNode> examples = new HashMap<>();
        try (Stream<Path> files = Files.list(KubernetesManifestsTest.REPO.resolve("connectors/config"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode example = new ObjectMapper().readTree(file.toFile());
                examples.put(example.path("name").asText(), example.path("config"));
            }
        }
        Set<String> mounted = new TreeSet<>();
        Workload.list(map(map(map(connect.get("spec")).get("template")).get("connectContainer")).get("volumeMounts"))
                .forEach(m -> mounted.add((String) m.get("mountPath")));
        for (Map<String, Object> connector : rendered.all("KafkaConnector")) {
            String owner = "KafkaConnector " + name(connector);
            JsonNode example = examples.get(name(connector));
            assertThat(example).as(owner + ": a connectors/config/*.json of that name").isNotNull();
            Map<String, Object> spec = map(connector.get("spec"));
            Map<String, String> config = strings(map(spec.get("config")));
            assertThat(spec.get("class")).as(owner + " class").isEqualTo(example.path("connector.class").asText());
            assertThat(String.valueOf(spec.get("tasksMax"))).isEqualTo(example.path("tasks.max").asText());
            example.properties().forEach(e -> {
                if (!SITE_SPECIFIC.contains(e.getKey()) && !e.getKey().equals("connector.class") && !e.getKey().equals("tasks.max")) {
                    assertThat(config.get(e.getKey())).as(owner + ": " + e.getKey()).isEqualTo(e.getValue().asText());
                }
            });
            Stream.of("directories", "file").map(config::get).filter(v -> v != null).flatMap(v -> Stream.of(v.split(",")))
                    .forEach(path -> assertThat(mounted).as(owner + ": " + path + " is on a mounted volume")
                            .anySatisfy(mount -> assertThat(path).startsWith(mount + "/")));
        }
    }

    @Test
    void credentialsComeFromSecretsTheWorkerMayRead() {
        Map<String, String> workerConfig = strings(map(map(connect.get("spec")).get("config")));
        assertThat(workerConfig.get("config.providers.secrets.class")).isEqualTo("io.strimzi.kafka.KubernetesSecretConfigProvider");
        assertThat(workerConfig.keySet()).as("the worker config holds no credential (TLS comes from Strimzi's Secrets)")
                .filteredOn(key -> !key.startsWith("config.providers.")).noneMatch(StrimziConnectManifestsTest::isCredential);
        Set<String> readable = secretsReadableBy(name(connect) + "-connect");
        for (Map<String, Object> connector : rendered.all("KafkaConnector")) {
            strings(map(map(connector.get("spec")).get("config"))).forEach((key, value) -> {
                if (isCredential(key)) {
                    var provided = PROVIDED.matcher(value);
                    assertThat(provided.matches()).as("KafkaConnector %s: %s comes from a config provider, never a literal", name(connector), key).isTrue();
                    if (provided.group(1).equals("secrets")) {
                        assertThat(readable).as("Secret of %s readable by the Connect ServiceAccount", key).contains(provided.group(2));
                    }
                }
            });
        }
        assertThat(rendered.all("Secret")).as("Secrets in the manifests").isEmpty();
    }

    private static boolean isCredential(String key) {
        String lower = key.toLowerCase();
        return lower.contains("password") || lower.contains("secret") || lower.endsWith(".key") || lower.contains("token");
    }

    /** namespace/name of the Secrets a Role bound to this ServiceAccount lets it get. */
    private static Set<String> secretsReadableBy(String serviceAccount) {
        Set<String> readable = new TreeSet<>();
        for (Map<String, Object> binding : rendered.all("RoleBinding")) {
            boolean bound = Workload.list(binding.get("subjects")).stream()
                    .anyMatch(s -> "ServiceAccount".equals(s.get("kind")) && serviceAccount.equals(s.get("name")));
            if (bound) {
                Map<String, Object> role = rendered.named("Role", (String) map(binding.get("roleRef")).get("name"));
                String namespace = (String) map(role.get("metadata")).get("namespace");
                for (Map<String, Object> rule : Workload.list(role.get("rules"))) {
                    List<?> verbs = (List<?>) rule.get("verbs");
                    if (((List<?>) rule.get("resources")).contains("secrets") && verbs.contains("get")) {
                        ((List<?>) rule.get("resourceNames")).forEach(n -> readable.add(namespace + "/" + n));
                    }
                }
            }
        }
        return readable;
    }

    private static boolean connectorClassExists(String className) throws IOException {
        Class<?> ours = loadable(className);
        if (ours != null) {
            return Connector.class.isAssignableFrom(ours);
        }
        return inDebeziumPlugin(className);
    }

    /** Debezium's JDBC sink is a plugin archive (its own jars, never on a classpath): look for the class file in it. */
    private static boolean inDebeziumPlugin(String className) throws IOException {
        assertThat(DEBEZIUM_PLUGIN).as("Debezium's plugin directory (./mvnw -pl connectors package unpacks it)").isDirectory();
        String entry = className.replace('.', '/') + ".class";
        try (Stream<Path> files = Files.walk(DEBEZIUM_PLUGIN)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    if (file.getEntry(entry) != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static Class<?> loadable(String className) {
        try {
            return Class.forName(className, false, StrimziConnectManifestsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Map<String, String> strings(Map<String, Object> values) {
        Map<String, String> strings = new HashMap<>();
        values.forEach((k, v) -> strings.put(k, String.valueOf(v)));
        return strings;
    }
}

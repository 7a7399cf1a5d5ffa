package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.devstack.secure.HttpsBasicAuthProxy;
import io.bitnetstreams.devstack.secure.SecureKafkaBroker;
import io.bitnetstreams.devstack.secure.SecureKafkaBroker.User;
import io.bitnetstreams.devstack.secure.TestPki;
import io.bitnetstreams.standalone.it.PackagedLauncher.Launched;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5, security end to end, with real processes: a broker process whose only listener is SASL_SSL
 * (SCRAM-SHA-512 users written at format time, StandardAuthorizer, no access without an ACL), the Apicurio
 * registry process behind an HTTPS reverse proxy that checks basic auth, and {@code topology}, {@code worker},
 * {@code submit} and {@code standalone --bootstrap-servers} started as child JVMs from the packaged launcher,
 * each given its principal's settings in a {@code --config} file (Kafka client properties verbatim; the
 * registry's {@code basic.auth.user.info} and {@code schema.registry.ssl.truststore.*}). Certificates and passwords
 * are made at test time. Every process logs at INFO (Kafka's config dumps included) and no secret may appear in
 * any of it. Also item 1: wrong credentials or an untrusted certificate are named as such by every command.
 *
 * <p>{@code -Dbitnet.it.secure.standalone=true} adds the standalone-against-the-cluster step (not yet proven here).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureClusterIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TopicNames TOPICS = TopicNames.DEFAULTS;
    private static final Duration START = Duration.ofMinutes(4);
    /** The captured output of every child process (kept for a look after a failure; the passwords are per run). */
    private static final Path LOGS = Path.of("target", "secure-cluster-it").toAbsolutePath();

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static SecureKafkaBroker broker;
    private static SchemaRegistryProcess registry;
    private static HttpsBasicAuthProxy proxy;
    private static User admin;
    private static User pipeline;
    private static User worker;
    private static User client;
    private static String registryUserInfo;
    private static Path logConfig;
    private static final List<Path> capturedLogs = new ArrayList<>();
    private static final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void secureStack() throws Exception {
        deleteTree(LOGS);
        Files.createDirectories(LOGS);
        pki = TestPki.create(dir.resolve("pki"));
        admin = new User("admin", TestPki.randomSecret());
        pipeline = new User("pipeline", TestPki.randomSecret());
        worker = new User("worker", TestPki.randomSecret());
        client = new User("client", TestPki.randomSecret());
        broker = SecureKafkaBroker.start(dir.resolve("broker"), pki, PackagedLauncher.CLASSPATH, List.of(admin, pipeline, worker, client),
                START);
        registry = SchemaRegistryProcess.startInMemory();
        String registryPassword = TestPki.randomSecret();
        registryUserInfo = "registry:" + registryPassword;
        proxy = HttpsBasicAuthProxy.start(registry.baseUri(), pki, "registry", registryPassword);
        try (Admin superUser = broker.admin()) {
            superUser.createAcls(acls()).all().get(60, TimeUnit.SECONDS);
        }
        logConfig = dir.resolve("log4j2.xml");
        // everything at INFO, Kafka's client config dumps included: that is where a secret would show
        Files.writeString(logConfig, """
                <Configuration status="WARN">
                  <Appenders><Console name="err" target="SYSTEM_ERR">
                    <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c - %msg%n"/></Console></Appenders>
                  <Loggers>
                    <Logger name="io.bitnetstreams" level="DEBUG"/>
                    <Root level="INFO"><AppenderRef ref="err"/></Root>
                  </Loggers>
                </Configuration>
                """);
    }

    /** The pipeline principal may do anything; the worker reads work and writes results; the client submits. */
    private static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        ResourcePattern anyTopic = new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL);
        ResourcePattern anyGroup = new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL);
        ResourcePattern anyTransaction = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "*", PatternType.LITERAL);
        ResourcePattern cluster = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
        for (ResourcePattern pattern : List.of(anyTopic, anyGroup, anyTransaction, cluster)) {
            acls.add(allow(pattern, pipeline, AclOperation.ALL));
        }
        acls.add(allow(anyTopic, worker, AclOperation.DESCRIBE));
        for (String work : List.of(TOPICS.workClassify(), TOPICS.workExtract(), TOPICS.workGenerate())) {
            acls.add(allow(topic(work), worker, AclOperation.READ));
        }
        // the final results too: a worker publishes those of one-part requests itself
        for (String output : List.of(TOPICS.workResults(), TOPICS.deadLetters(), TOPICS.classificationResults(),
                TOPICS.extractionResults(), TOPICS.generationResults())) {
            acls.add(allow(topic(output), worker, AclOperation.WRITE));
        }
        acls.add(allow(anyGroup, worker, AclOperation.READ));
        acls.add(allow(anyTransaction, worker, AclOperation.WRITE));
        acls.add(allow(anyTransaction, worker, AclOperation.DESCRIBE));
        acls.add(allow(anyTopic, client, AclOperation.DESCRIBE));
        acls.add(allow(topic(TOPICS.requests()), client, AclOperation.WRITE));
        for (String output : List.of(TOPICS.classificationResults(), TOPICS.extractionResults(),
                TOPICS.generationResults(), TOPICS.deadLetters())) {
            acls.add(allow(topic(output), client, AclOperation.READ));
        }
        return acls;
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static AclBinding allow(ResourcePattern pattern, User user, AclOperation operation) {
        return new AclBinding(pattern, new AccessControlEntry("User:" + user.name(), "*", operation,
                AclPermissionType.ALLOW));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process process : started) {
            process.destroyForcibly();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void wrongCredentialsAndAnUntrustedCertificateAreNamedAsSuchByEveryCommand() throws Exception {
        Path wrongPassword = config("wrong-password", new User(client.name(), "not-" + client.password()));
        Path untrusted = config("untrusted", client);
        Files.writeString(untrusted, "ssl.truststore.location=" + pki.untrustedStore() + "\n",
                StandardOpenOption.APPEND);
        Map<String, Launched> runs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> bad : Map.of("sasl", wrongPassword, "tls", untrusted).entrySet()) {
            Path file = bad.getValue();
            String name = bad.getKey();
            runs.put(name + "/submit", launch(name + "-submit", "submit", "--config", file.toString(),
                    "--task", "classify", "--labels", "a,b", "--text", "x", "--timeout", "20s"));
            runs.put(name + "/worker", launch(name + "-worker", "worker", "--config", file.toString(),
                    "--model", "keyword", "--tasks", "classify", "--http-port", "-1"));
            runs.put(name + "/topology", launch(name + "-topology", "topology", "--config", file.toString(),
                    "--set", "bitnet.http.port=0"));
            runs.put(name + "/standalone", launch(name + "-standalone", "standalone", "--config", file.toString(),
                    "--bootstrap-servers", broker.bootstrapServers(), "--schema-registry", proxy.url(
                            SchemaRegistryProcess.CCOMPAT_PATH), "--input", requests(name, 1).toString(),
                    "--synthetic", "--no-download", "--model-cache", dir.resolve("models").toString(),
                    "--threads", "1", "--timeout", "1m"));
        }
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, Launched> run : runs.entrySet()) {
            Launched launched = run.getValue();
            int exit = launched.await(Duration.ofMinutes(3));
            String stderr = launched.stderr();
            softly.assertThat(exit).as("%s exit; stderr:%n%s", run.getKey(), stderr).isNotZero();
            if (run.getKey().startsWith("sasl")) {
                softly.assertThat(stderr).as(run.getKey()).contains("refused the credentials (SASL");
            } else {
                softly.assertThat(stderr).as(run.getKey()).contains("TLS handshake failed");
            }
            softly.assertThat(stderr).as(run.getKey()).doesNotContain("is unreachable");
        }
        softly.assertAll();
    }

    @Test
    @Order(2)
    void topologyWorkerAndSubmitWorkOverSaslSslAndHttpsWithTheWorkerConfinedByAcls() throws Exception {
        Path pipelineConfig = config("pipeline", pipeline);
        Path workerConfig = config("worker", worker);
        Path clientConfig = config("client", client);
        Launched topology = launch("topology", "topology", "--config", pipelineConfig.toString(),
                "--set", "bitnet.http.port=0");
        Launched workerProcess = launch("worker", "worker", "--config", workerConfig.toString(),
                "--model", "keyword", "--tasks", "classify", "--http-port", "-1");
        try (Admin superUser = broker.admin()) {
            Awaitility.await("the topology created the pipeline topics").atMost(START)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> superUser.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(TOPICS.all()));
        }
        Launched submit = launch("submit", "submit", "--config", clientConfig.toString(), "--task", "classify",
                "--labels", "billing,shipping", "--text", "I was charged twice for my order", "--id", "secure-1",
                "--timeout", "3m");
        assertThat(submit.await(Duration.ofMinutes(4))).as("submit; stderr:%n%s%ntopology:%n%s%nworker:%n%s",
                submit.stderr(), topology.tail(), workerProcess.tail()).isZero();
        JsonNode answer = MAPPER.readTree(submit.stdout());
        assertThat(answer.get("id").asText()).isEqualTo("secure-1");
        assertThat(answer.get("status").asText()).isEqualTo("DONE");
        assertThat(answer.get("result").toString()).containsAnyOf("billing", "shipping");

        // the worker's principal reads work and writes results, but may not write requests
        Map<String, Object> asWorker = new LinkedHashMap<>(broker.clientSettings(worker));
        asWorker.put("max.block.ms", "30000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(asWorker, new StringSerializer(),
                new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.requests(), "k", "v")).get(60,
                    TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        // the registry was reached through the HTTPS proxy with the credentials, and refuses a caller without them
        assertThat(proxy.forwarded()).isPositive();
        java.net.http.HttpClient anonymous = java.net.http.HttpClient.newBuilder()
                .sslContext(trustingContext()).build();
        int status = anonymous.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(proxy.url(
                SchemaRegistryProcess.CCOMPAT_PATH + "/subjects"))).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).isEqualTo(401);

        topology.stop();
        workerProcess.stop();
    }

    /**
     * Not in the default run yet: on the shared 2-core machine (load average 35-45) the synthetic model did not finish
     * one request within 8 minutes here, so whether this passes is unproven. Run it with
     * {@code -Dbitnet.it.secure.standalone=true} on a quiet machine.
     */
    @Test
    @Order(3)
    @EnabledIfSystemProperty(named = "bitnet.it.secure.standalone", matches = "true")
    void standaloneRunsAgainstTheSecuredCluster() throws Exception {
        Path pipelineConfig = config("pipeline", pipeline);
        // standalone against the secured cluster: its topology and worker run as the pipeline principal
        Path report = dir.resolve("standalone-report.json");
        Launched standalone = launch("standalone", "standalone", "--config", pipelineConfig.toString(),
                "--bootstrap-servers", broker.bootstrapServers(),
                "--schema-registry", proxy.url(SchemaRegistryProcess.CCOMPAT_PATH),
                "--input", requests("standalone", 1).toString(), "--synthetic", "--no-download",
                "--model-cache", dir.resolve("models").toString(), "--threads", "2", "--timeout", "8m",
                "--report", report.toString(), "-v");
        assertThat(standalone.await(Duration.ofMinutes(9))).as("standalone; stderr:%n%s", standalone.tail()).isZero();
        JsonNode summary = MAPPER.readTree(report.toFile()).get("summary");
        assertThat(summary.get("results").asInt()).isEqualTo(1);
        assertThat(summary.get("dead_letters").asInt()).isZero();
    }

    @Test
    @Order(4)
    void noSecretAppearsInAnyLogLine() throws IOException {
        List<String> secrets = new ArrayList<>();
        for (User user : List.of(admin, pipeline, worker, client)) {
            secrets.add(user.password());
            secrets.add(user.jaasConfig());
        }
        secrets.add(pki.storePassword());
        secrets.add(registryUserInfo);
        secrets.add(registryUserInfo.substring(registryUserInfo.indexOf(':') + 1));
        secrets.add(Base64.getEncoder().encodeToString(registryUserInfo.getBytes(StandardCharsets.UTF_8)));
        assertThat(capturedLogs).hasSizeGreaterThanOrEqualTo(22);
        long lines = 0;
        for (Path log : capturedLogs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            lines += text.lines().count();
            for (String secret : secrets) {
                assertThat(text).as("%s must not contain a secret", log.getFileName()).doesNotContain(secret);
            }
        }
        // the logs are real: the Kafka clients printed their configuration (secrets masked) at INFO
        String all = String.join("\n", capturedLogs.stream().map(SecureClusterIT::read).toList());
        assertThat(all).contains("sasl.jaas.config = [hidden]");
        assertThat(lines).isGreaterThan(200);
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A --config file with the principal's Kafka settings and the registry's URL, credentials and trust. */
    private static Path config(String name, User user) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(broker.clientSettings(user));
        settings.put("schema.registry.url", proxy.url(SchemaRegistryProcess.CCOMPAT_PATH));
        settings.put("basic.auth.credentials.source", "USER_INFO");
        settings.put("basic.auth.user.info", registryUserInfo);
        settings.put("schema.registry.ssl.truststore.location", pki.trustStore().toString());
        settings.put("schema.registry.ssl.truststore.password", pki.storePassword());
        settings.put("schema.registry.ssl.truststore.type", TestPki.STORE_TYPE);
        StringBuilder text = new StringBuilder();
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path file = dir.resolve(name + ".properties");
        Files.writeString(file, text);
        return file;
    }

    private static Path requests(String name, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("{\"id\": \"" + name + "-" + i + "\", \"task\": \"classify\", \"text\": \"refund my order " + i
                    + "\", \"labels\": [\"billing\", \"shipping\"]}");
        }
        Path file = dir.resolve(name + "-requests.jsonl");
        Files.write(file, lines);
        return file;
    }

    private static javax.net.ssl.SSLContext trustingContext() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance(TestPki.STORE_TYPE);
        try (var in = Files.newInputStream(pki.trustStore())) {
            trust.load(in, pki.storePassword().toCharArray());
        }
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A child JVM of the packaged launcher ({@code bitnet-streams ARGS}), stdout and stderr captured to files. */
    private static Launched launch(String name, String... args) throws IOException {
        // standalone runs the topology, a worker and a model in one JVM
        List<String> jvmOptions = List.of(args[0].equals("standalone") ? "-Xmx2g" : "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp-" + name)),
                "-Dlog4j2.configurationFile=" + logConfig);
        Path out = LOGS.resolve(name + ".out");
        Path err = LOGS.resolve(name + ".err");
        capturedLogs.add(out);
        capturedLogs.add(err);
        Launched launched = PackagedLauncher.start(out, err, jvmOptions, List.of(args));
        started.add(launched.process());
        return launched;
    }
}

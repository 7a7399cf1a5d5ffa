package io.bitnetstreams.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigLoaderTest {

    private static final Map<String, String> MINIMAL = Map.of(
            "bitnet.model", "keyword", "bootstrap.servers", "localhost:9092", "schema.registry.url", "http://r:1",
            "bitnet.instance.id", "w1");

    @Test
    void fileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("worker.properties");
        Files.writeString(file, """
                bitnet.model=/models/a.gguf
                bitnet.threads=2
                bitnet.queue.capacity=10
                bootstrap.servers=file:9092
                schema.registry.url=http://file
                bitnet.tasks=classify, extract
                """);
        Map<String, String> env = Map.of("BITNET_THREADS", "3", "KAFKA_LINGER_MS", "7", "HOSTNAME", "pod-7",
                "BITNET_JAVA_OPTS", "-Xmx1g");
        WorkerConfig config = WorkerConfigLoader.load(file, env, Map.of("bitnet.queue.capacity", "12"));

        assertThat(config.model()).isEqualTo("/models/a.gguf");
        assertThat(config.threads()).isEqualTo(3);
        assertThat(config.queueCapacity()).isEqualTo(12);
        assertThat(config.instanceId()).isEqualTo("pod-7");
        assertThat(config.tasks()).containsExactly(TaskKind.CLASSIFY, TaskKind.EXTRACT);
        assertThat(config.subscribedTopics()).containsExactly("bitnet.work.classify", "bitnet.work.extract");
        assertThat(config.kafka()).containsEntry("bootstrap.servers", "file:9092").containsEntry("linger.ms", "7");
        assertThat(config.transactionalId()).isEqualTo("bitnet-worker-pod-7");
    }

    @Test
    void engineSettingsDefaultToTheFastKernelsAndComeFromTheEnvironment(@TempDir Path dir) {
        WorkerConfig defaults = WorkerConfigLoader.fromMap(MINIMAL, Map.of());
        assertThat(defaults.engine().kernels()).isEqualTo("vector");
        assertThat(defaults.engine().head()).isEqualTo(io.bitnetstreams.engine.model.LmHeadKind.F16);
        assertThat(defaults.engine().repackCache()).isPresent();

        Map<String, String> env = Map.of("BITNET_ENGINE_HEAD", "q8_0", "BITNET_ENGINE_REPACK_CACHE", dir.toString());
        WorkerConfig fromEnv = WorkerConfigLoader.load(null, env, MINIMAL);
        assertThat(fromEnv.engine().head()).isEqualTo(io.bitnetstreams.engine.model.LmHeadKind.Q8_0);
        assertThat(fromEnv.engine().repackCache()).contains(dir);
        assertThat(fromEnv.engine().loadOptions().repackCache()).contains(dir);

        Map<String, String> none = new HashMap<>(MINIMAL);
        none.put("bitnet.engine.repack.cache", "none");
        assertThat(WorkerConfigLoader.fromMap(none, Map.of()).engine().repackCache()).isEmpty();
    }

    @Test
    void finalResultsArePublishedByDefaultAndTheirTopicsMustExist() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("bitnet.tasks", "classify,generate");
        WorkerConfig defaults = WorkerConfigLoader.fromMap(values, Map.of());
        assertThat(defaults.publishFinalResults()).isTrue();
        assertThat(defaults.finalResultsTopics()).containsExactly("bitnet.results.classification", "bitnet.results.generation");
        assertThat(defaults.usedTopics()).contains("bitnet.results.classification", "bitnet.results.generation")
                .doesNotContain("bitnet.results.extraction");

        WorkerConfig off = WorkerConfigLoader.load(null, Map.of("BITNET_FINAL_RESULTS_PUBLISH", "false"), values);
        assertThat(off.publishFinalResults()).isFalse();
        assertThat(off.finalResultsTopics()).isEmpty();
        assertThat(off.usedTopics()).noneMatch(topic -> topic.startsWith("bitnet.results."));

        values.put("bitnet.final.results.publish", "sometimes");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bitnet.final.results.publish");
    }

    @Test
    void badEngineSettingsNameTheirKey() {
        Map<String, String> kernels = new HashMap<>(MINIMAL);
        kernels.put("bitnet.engine.kernels", "gpu");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(kernels, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bitnet.engine.kernels").hasMessageContaining("gpu");
        Map<String, String> head = new HashMap<>(MINIMAL);
        head.put("bitnet.engine.head", "q4");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(head, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bitnet.engine.head");
    }

    @Test
    void clientSettingsThatWouldBreakExactlyOnceAreRefused() {
        for (var bad : Map.of("isolation.level", "read_uncommitted", "transactional.id", "fixed",
                "enable.auto.commit", "true").entrySet()) {
            Map<String, String> values = new HashMap<>(MINIMAL);
            values.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                    .as(bad.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("exactly-once").hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void plainClientKeysPassThroughAndOverrideDerivedDefaults() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("session.timeout.ms", "6000");
        values.put("bitnet.schema.registry.max.retries", "1");
        WorkerConfig config = WorkerConfigLoader.fromMap(values, Map.of());

        assertThat(config.kafka()).containsEntry("session.timeout.ms", "6000");
        assertThat(config.serde()).containsEntry("bitnet.schema.registry.max.retries", "1");
        assertThat(config.consumerDefaults()).containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("max.poll.records", String.valueOf(config.queueCapacity()));
    }

    @Test
    void derivedTimeoutsFollowTheGracePeriods() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("bitnet.shutdown.grace.ms", "50000");
        values.put("bitnet.revoke.grace.ms", "1000");
        values.put("bitnet.commit.interval.ms", "30000");
        WorkerConfig config = WorkerConfigLoader.fromMap(values, Map.of());

        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(50));
        assertThat(config.consumerDefaults()).containsEntry("max.poll.interval.ms", String.valueOf(2 * 50_000 + 60_000));
        assertThat(config.producerDefaults()).containsEntry("transaction.timeout.ms", "120000");
    }

    @Test
    void unknownKeyIsNamedWithTheNearestKnownOne() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("bitnet.treads", "4");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.treads"))
                .hasMessageContaining("did you mean 'bitnet.threads'");
        // the same rule for a variable: BITNET_TREADS is bitnet.treads
        assertThatThrownBy(() -> WorkerConfigLoader.load(null, Map.of("BITNET_TREADS", "4"), MINIMAL))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.treads"));
    }

    @Test
    void formerSpellingsSayWhatTheKeyIsCalledNow() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("threads", "4");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("threads"))
                .hasMessageContaining("'bitnet.threads'").hasMessageContaining("BITNET_THREADS");
        Map<String, String> topic = new HashMap<>(MINIMAL);
        topic.put("topic.dead.letter", "dlq");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(topic, Map.of()))
                .hasMessageContaining("'bitnet.topic.dlq'");
        Map<String, String> kafka = new HashMap<>(MINIMAL);
        kafka.put("kafka.linger.ms", "5");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(kafka, Map.of()))
                .hasMessageContaining("'linger.ms'").hasMessageContaining("KAFKA_LINGER_MS");
        assertThatThrownBy(() -> WorkerConfigLoader.load(null, Map.of("BITNET_KAFKA_LINGER_MS", "5"), MINIMAL))
                .hasMessageContaining("'linger.ms'");
    }

    @Test
    void workerAndTopologyMeetOnTheSameDeadLetterTopicByDefault() {
        WorkerConfig config = WorkerConfigLoader.fromMap(MINIMAL, Map.of());
        assertThat(config.deadLetterTopic()).isEqualTo("bitnet.dlq")
                .isEqualTo(io.bitnetstreams.contract.TopicNames.DEFAULTS.deadLetters());
        assertThat(config.usedTopics()).containsExactly("bitnet.work.classify", "bitnet.work.extract",
                "bitnet.work.generate", "bitnet.work.results", "bitnet.dlq", "bitnet.results.classification",
                "bitnet.results.extraction", "bitnet.results.generation");
    }

    @Test
    void secretsNeverAppearInToString() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\";");
        values.put("ssl.keystore.password", "hunter3");
        values.put("basic.auth.user.info", "user:hunter4");
        values.put("basic.auth.credentials.source", "USER_INFO");
        WorkerConfig config = WorkerConfigLoader.fromMap(values, Map.of());
        assertThat(config.kafka()).containsEntry("ssl.keystore.password", "hunter3");
        assertThat(config.serde()).containsEntry("basic.auth.user.info", "user:hunter4");
        assertThat(config.toString()).doesNotContain("hunter").contains("sasl.jaas.config=[hidden]")
                .contains("basic.auth.user.info=[hidden]");
    }

    @Test
    void badValuesNameTheirKey() {
        assertInvalid("bitnet.threads", "many", "bitnet.threads");
        assertInvalid("bitnet.threads", "0", "bitnet.threads");
        assertInvalid("bitnet.queue.capacity", "1000000", "bitnet.queue.capacity");
        assertInvalid("bitnet.tasks", "classify,summarize", "bitnet.tasks");
        assertInvalid("bitnet.topic.work.results", "bad topic", "bitnet.topic.work.results");
        assertInvalid("bitnet.http.port", "70000", "bitnet.http.port");
        assertInvalid("bitnet.instance.id", "a/b", "bitnet.instance.id");
        assertInvalid("bitnet.commit.interval.ms", "soon", "bitnet.commit.interval.ms");
    }

    @Test
    void missingRequiredKeysAreNamed() {
        Map<String, String> noModel = new HashMap<>(MINIMAL);
        noModel.remove("bitnet.model");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(noModel, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.model"));
        Map<String, String> noBroker = new HashMap<>(MINIMAL);
        noBroker.remove("bootstrap.servers");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(noBroker, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bootstrap.servers"));
    }

    private static void assertInvalid(String key, String value, String expectedKey) {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put(key, value);
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(expectedKey));
    }
}

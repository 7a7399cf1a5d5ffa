package io.bitnetstreams.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigLoaderTest {

    private static final Map<String, String> MINIMAL = Map.of(
            "model", "keyword", "bootstrap.servers", "localhost:9092", "schema.registry.url", "http://r:1", "instance.id", "w1");

    @Test
    void fileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("worker.properties");
        Files.writeString(file, """
                model=/models/a.gguf
                threads=2
                queue.capacity=10
                kafka.bootstrap.servers=file:9092
                schema.registry.url=http://file
                tasks=classify, extract
                """);
        Map<String, String> env = Map.of("BITNET_THREADS", "3", "BITNET_KAFKA_LINGER_MS", "7", "HOSTNAME", "pod-7",
                "BITNET_JAVA_OPTS", "-Xmx1g");
        WorkerConfig config = WorkerConfigLoader.load(file, env, Map.of("queue.capacity", "12"));

        assertThat(config.model()).isEqualTo("/models/a.gguf");
        assertThat(config.threads()).isEqualTo(3);
        assertThat(config.queueCapacity()).isEqualTo(12);
        assertThat(config.instanceId()).isEqualTo("pod-7");
        assertThat(config.tasks()).containsExactly(TaskType.CLASSIFY, TaskType.EXTRACT);
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
        none.put("engine.repack.cache", "none");
        assertThat(WorkerConfigLoader.fromMap(none, Map.of()).engine().repackCache()).isEmpty();
    }

    @Test
    void badEngineSettingsNameTheirKey() {
        Map<String, String> kernels = new HashMap<>(MINIMAL);
        kernels.put("engine.kernels", "gpu");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(kernels, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("engine.kernels").hasMessageContaining("gpu");
        Map<String, String> head = new HashMap<>(MINIMAL);
        head.put("engine.head", "q4");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(head, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("engine.head");
    }

    @Test
    void clientSettingsThatWouldBreakExactlyOnceAreRefused() {
        for (var bad : Map.of("isolation.level", "read_uncommitted", "kafka.transactional.id", "fixed",
                "enable.auto.commit", "true").entrySet()) {
            Map<String, String> values = new HashMap<>(MINIMAL);
            values.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                    .as(bad.getKey()).isInstanceOf(InvalidConfigException.class)
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
        values.put("shutdown.grace.ms", "50000");
        values.put("revoke.grace.ms", "1000");
        values.put("commit.interval.ms", "30000");
        WorkerConfig config = WorkerConfigLoader.fromMap(values, Map.of());

        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(50));
        assertThat(config.consumerDefaults()).containsEntry("max.poll.interval.ms", String.valueOf(2 * 50_000 + 60_000));
        assertThat(config.producerDefaults()).containsEntry("transaction.timeout.ms", "120000");
    }

    @Test
    void unknownKeyIsNamed() {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put("treads", "4");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("'treads'");
    }

    @Test
    void badValuesNameTheirKey() {
        assertInvalid("threads", "many", "threads");
        assertInvalid("threads", "0", "threads");
        assertInvalid("queue.capacity", "1000000", "queue.capacity");
        assertInvalid("tasks", "classify,summarize", "tasks");
        assertInvalid("topic.results", "bad topic", "topic.results");
        assertInvalid("http.port", "70000", "http.port");
        assertInvalid("instance.id", "a/b", "instance.id");
    }

    @Test
    void missingRequiredKeysAreNamed() {
        Map<String, String> noModel = new HashMap<>(MINIMAL);
        noModel.remove("model");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(noModel, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("model"));
        Map<String, String> noBroker = new HashMap<>(MINIMAL);
        noBroker.remove("bootstrap.servers");
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(noBroker, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("bootstrap.servers"));
    }

    private static void assertInvalid(String key, String value, String expectedKey) {
        Map<String, String> values = new HashMap<>(MINIMAL);
        values.put(key, value);
        assertThatThrownBy(() -> WorkerConfigLoader.fromMap(values, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo(expectedKey));
    }
}

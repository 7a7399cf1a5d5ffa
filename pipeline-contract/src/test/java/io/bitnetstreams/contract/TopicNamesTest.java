package io.bitnetstreams.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.contract.config.KnownKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

    private static final KnownKeys KEYS = KnownKeys.of("test", TopicNames.KEYS);

    @Test
    void defaultsAreTheOnesEveryPartUses() {
        TopicNames names = TopicNames.from(ConfigValues.of(KEYS, Map.of()));
        assertThat(names).isEqualTo(TopicNames.DEFAULTS);
        assertThat(names.deadLetters()).isEqualTo("bitnet.dlq");
        assertThat(names.work(TaskKind.EXTRACT)).isEqualTo("bitnet.work.extract");
        assertThat(names.results(TaskKind.GENERATE)).isEqualTo("bitnet.results.generation");
        assertThat(names.all()).hasSize(TopicNames.KEYS.size()).doesNotHaveDuplicates();
    }

    @Test
    void configuredNamesAreCheckedNamingTheKey() {
        assertThat(TopicNames.from(ConfigValues.of(KEYS, Map.of(TopicNames.DEAD_LETTERS, "my.dlq"))).deadLetters())
                .isEqualTo("my.dlq");
        assertThatThrownBy(() -> TopicNames.from(ConfigValues.of(KEYS, Map.of(TopicNames.WORK_RESULTS, "bad topic"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(TopicNames.WORK_RESULTS));
        assertThatThrownBy(() -> TopicNames.from(ConfigValues.of(KEYS, Map.of(TopicNames.DEAD_LETTERS, "bitnet.requests"))))
                .hasMessageContaining("distinct");
    }

    @Test
    void taskKindsHaveOneWireName() {
        for (TaskKind kind : TaskKind.values()) {
            assertThat(TaskKind.fromWireName(kind.wireName())).contains(kind);
        }
        assertThat(TaskKind.fromWireName("summarize")).isEmpty();
        assertThat(TaskKind.of(io.bitnetstreams.avro.ClassifyTask.newBuilder().setLabels(java.util.List.of("a")).build()))
                .isEqualTo(TaskKind.CLASSIFY);
        assertThat(TaskKind.of("not a task")).isNull();
    }
}

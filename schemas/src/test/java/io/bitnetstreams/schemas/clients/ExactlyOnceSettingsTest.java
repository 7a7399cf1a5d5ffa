package io.bitnetstreams.schemas.clients;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExactlyOnceSettingsTest {

    @Test
    void settingsThatBreakExactlyOnceAreRefusedByName() {
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("isolation.level", "read_uncommitted")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("isolation.level=read_uncommitted").hasMessageContaining("read_committed");
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("transactional.id", "mine")))
                .hasMessageContaining("transactional.id=mine");
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("enable.auto.commit", "true")))
                .hasMessageContaining("enable.auto.commit=true");
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("processing.guarantee", "at_least_once")))
                .hasMessageContaining("processing.guarantee=at_least_once");
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("producer.acks", "1")))
                .hasMessageContaining("producer.acks=1");
        assertThatThrownBy(() -> ExactlyOnceSettings.refuseOverrides(Map.of("main.consumer.isolation.level",
                "read_uncommitted", "kafka.enable.idempotence", "false")))
                .hasMessageContaining("main.consumer.isolation.level").hasMessageContaining("kafka.enable.idempotence");
    }

    @Test
    void theValuesTheApplicationSetsAnywayAndOtherKeysPass() {
        assertThatCode(() -> ExactlyOnceSettings.refuseOverrides(Map.of(
                "isolation.level", "read_committed", "enable.auto.commit", "false", "acks", "all",
                "processing.guarantee", "exactly_once_v2", "security.protocol", "SASL_SSL",
                "consumer.max.poll.records", "50", "my.transactional.id.note", "x"))).doesNotThrowAnyException();
    }
}

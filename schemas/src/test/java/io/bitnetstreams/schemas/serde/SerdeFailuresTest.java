package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class SerdeFailuresTest {

    @Test
    void findsTheRecordProblemInsideWrappers() {
        var problem = new MalformedRecordException("t", "bad magic", null);
        var wrapped = new KafkaException("consumer wrapper", new RuntimeException(problem));

        assertThat(SerdeFailures.recordProblem(wrapped)).containsSame(problem);
        assertThat(SerdeFailures.registryProblem(wrapped)).isEmpty();
    }

    @Test
    void findsTheRegistryProblemInsideWrappers() {
        var outage = new RegistryUnavailableException("down", 503, -1, null);
        var wrapped = new KafkaException("consumer wrapper", outage);

        assertThat(SerdeFailures.registryProblem(wrapped)).containsSame(outage);
        assertThat(SerdeFailures.recordProblem(wrapped)).isEmpty();
        assertThat(SerdeFailures.recordProblem(new IllegalStateException("other"))).isEmpty();
    }
}

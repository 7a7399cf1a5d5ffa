package io.bitnetstreams.schemas.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffDoublesUpToTheCap() {
        var policy = new RetryPolicy(10, Duration.ofMillis(50), Duration.ofMillis(1000));

        assertThat(IntStream.rangeClosed(1, 7).mapToObj(policy::backoffBeforeRetry).map(Duration::toMillis))
                .containsExactly(50L, 100L, 200L, 400L, 800L, 1000L, 1000L);
        assertThat(policy.backoffBeforeRetry(100)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, Duration.ZERO)).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("below initialBackoff");
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.backoffBeforeRetry(0)).hasMessageContaining("start at 1");
    }
}

package io.bitnetstreams.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadSupervisorTest {

    private Instant now = Instant.parse("2026-12-03T12:00:00Z");
    private final Map<String, Double> commits = new HashMap<>();
    private final StreamThreadSupervisor supervisor = new StreamThreadSupervisor(new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }, () -> Map.copyOf(commits));

    @Test
    void aThreadDyingOnTheSameFailureIsReplacedABoundedNumberOfTimesThenTheClientShutsDown() {
        var failure = new IllegalStateException("transaction failed");
        for (int i = 1; i <= StreamThreadSupervisor.MAX_REPLACEMENTS; i++) {
            assertThat(supervisor.handle(failure)).as("failure %d", i).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now = now.plusSeconds(45);
        }
        assertThat(supervisor.handle(failure)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(supervisor.lastFailure()).contains("transaction failed");
    }

    @Test
    void failuresSpreadWiderThanTheWindowAreAlwaysReplaced() {
        for (int i = 0; i < 3 * StreamThreadSupervisor.MAX_REPLACEMENTS; i++) {
            assertThat(supervisor.handle(new RuntimeException("rare"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now = now.plus(StreamThreadSupervisor.WINDOW.dividedBy(StreamThreadSupervisor.MAX_REPLACEMENTS - 1));
        }
    }

    @Test
    void notReadyFromAThreadsDeathUntilAThreadCommitsAgain() {
        commits.put("app-StreamThread-1", 40.0);
        assertThat(supervisor.makingProgress()).isTrue();

        supervisor.handle(new RuntimeException("boom"));
        assertThat(supervisor.makingProgress()).isFalse();
        // the replacement reuses the name, its count starts again: not progress yet
        commits.put("app-StreamThread-1", 0.0);
        now = now.plusSeconds(30);
        assertThat(supervisor.makingProgress()).isFalse();
        commits.put("app-StreamThread-1", 1.0);
        assertThat(supervisor.makingProgress()).isTrue();
        assertThat(supervisor.makingProgress()).as("stays ready").isTrue();
    }

    @Test
    void aNewlyNamedThreadThatCommitsIsProgressAndAQuietRecoveryToo() {
        commits.put("app-StreamThread-1", 5.0);
        supervisor.handle(new RuntimeException("boom"));
        commits.remove("app-StreamThread-1");
        commits.put("app-StreamThread-2", 0.0);
        assertThat(supervisor.makingProgress()).isFalse();
        commits.put("app-StreamThread-2", 2.0);
        assertThat(supervisor.makingProgress()).isTrue();

        supervisor.handle(new RuntimeException("again"));
        assertThat(supervisor.makingProgress()).isFalse();
        now = now.plus(StreamThreadSupervisor.RECOVERY).plus(Duration.ofSeconds(1));
        assertThat(supervisor.makingProgress()).as("idle and quiet since").isTrue();
    }
}

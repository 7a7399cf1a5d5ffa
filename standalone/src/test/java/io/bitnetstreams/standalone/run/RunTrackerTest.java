package io.bitnetstreams.standalone.run;

import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.contract.request.RequestSpec;
import io.bitnetstreams.launcher.client.Ending;
import io.bitnetstreams.launcher.client.OutcomeStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunTrackerTest {

    private static final List<RequestSpec> REQUESTS = List.of(
            RequestSpec.classify("a", "text", List.of("x", "y"), 1),
            RequestSpec.extract("b", "text", "{\"type\":\"object\"}", 2),
            RequestSpec.classify("c", "text", List.of("x"), 3));

    @Test
    void endsEachRequestOnceAndCountsRepeatedFinalRecords() throws InterruptedException {
        RunTracker tracker = new RunTracker(REQUESTS, "run-1-");
        tracker.sent("run-1-a", 1_000_000);
        tracker.sent("run-1-b", 2_000_000);
        tracker.sent("run-1-c", 3_000_000);

        assertThat(tracker.end("run-1-a", done(10, 2), 51_000_000)).isTrue();
        assertThat(tracker.end("run-1-a", done(99, 99), 90_000_000)).isFalse();
        assertThat(tracker.end("someone-else", done(1, 1), 60_000_000)).isFalse();
        assertThat(tracker.end("run-1-b", Ending.deadLetter("INVALID_REQUEST: nope"), 12_000_000)).isTrue();
        assertThat(tracker.awaitAll(Duration.ofMillis(1))).isFalse();

        assertThat(tracker.ended()).isEqualTo(2);
        assertThat(tracker.repeatedEndings()).isEqualTo(1);
        List<Outcome> outcomes = tracker.outcomes(List.of(new InputProblem(4, null, "not valid JSON")));
        assertThat(outcomes).extracting(Outcome::id).containsExactly("a", "b", "c", null);
        assertThat(outcomes).extracting(Outcome::status).containsExactly(OutcomeStatus.DONE, OutcomeStatus.DEAD_LETTER,
                OutcomeStatus.TIMED_OUT, OutcomeStatus.DEAD_LETTER);
        assertThat(outcomes.get(0).latencyMs()).isEqualTo(50);
        assertThat(outcomes.get(0).promptTokens()).isEqualTo(10);
        assertThat(outcomes.get(1).reason()).isEqualTo("INVALID_REQUEST: nope");
        assertThat(outcomes.get(2).latencyMs()).isEqualTo(-1);
        assertThat(outcomes.get(3).line()).isEqualTo(4);
    }

    @Test
    void awaitAllReturnsOnceEveryRequestEnded() throws InterruptedException {
        RunTracker tracker = new RunTracker(REQUESTS, "");
        for (RequestSpec spec : REQUESTS) {
            tracker.sent(spec.id(), 0);
            tracker.end(spec.id(), done(1, 1), 2_000_000_000L);
        }

        assertThat(tracker.awaitAll(Duration.ofMillis(1))).isTrue();
        assertThat(tracker.elapsedSeconds(Long.MAX_VALUE)).isEqualTo(2.0);
    }

    @Test
    void refusesTwoRequestsWithOneId() {
        List<RequestSpec> twice = List.of(REQUESTS.get(0), REQUESTS.get(0));

        assertThatThrownBy(() -> new RunTracker(twice, "")).hasMessageContaining("appears twice");
    }

    @Test
    void summaryCountsStatusesTokensAndLatencyPercentiles() {
        List<Outcome> outcomes = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            outcomes.add(new Outcome("r" + i, i, "classify", i <= 90 ? OutcomeStatus.DONE : OutcomeStatus.PARTIAL,
                    "s", null, null, i * 10L, 3, 1));
        }
        outcomes.add(new Outcome(null, 101, null, OutcomeStatus.DEAD_LETTER, "s", null, "bad", -1, 0, 0));
        outcomes.add(new Outcome("late", 102, "generate", OutcomeStatus.TIMED_OUT, "s", null, "late", -1, 0, 0));

        RunSummary summary = RunSummary.of(105, outcomes, 101, 3, 0, 20.0);

        assertThat(summary.results()).isEqualTo(100);
        assertThat(summary.done()).isEqualTo(90);
        assertThat(summary.deadLetters()).isEqualTo(1);
        assertThat(summary.timedOut()).isEqualTo(1);
        assertThat(summary.complete()).isFalse();
        assertThat(summary.p50Ms()).isBetween(495L, 505L);
        assertThat(summary.p95Ms()).isBetween(945L, 955L);
        assertThat(summary.maxMs()).isBetween(995L, 1005L);
        assertThat(summary.promptTokens()).isEqualTo(300);
        assertThat(summary.documentsPerSecond()).isEqualTo(5.0);
        assertThat(summary.generatedTokensPerSecond()).isEqualTo(5.0);
    }

    @Test
    void progressLineShowsTheShareEnded() {
        assertThat(ProgressBar.render(15, 60, 30)).isEqualTo("[" + "#".repeat(7) + ".".repeat(23)
                + "] 15/60 requests ended  0.50/s  00:30");
    }

    private static Ending done(int promptTokens, int generatedTokens) {
        return new Ending(OutcomeStatus.DONE, "ok", null, null, promptTokens, generatedTokens);
    }
}

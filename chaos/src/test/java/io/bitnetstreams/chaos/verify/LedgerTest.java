package io.bitnetstreams.chaos.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.chaos.workload.Content;
import io.bitnetstreams.chaos.workload.PlannedRequest;
import io.bitnetstreams.chaos.workload.RequestPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier's rules, fed by hand: it must see every kind of failure, and pass a clean run. */
class LedgerTest {

    private final List<PlannedRequest> plan = RequestPlan.plan(200, 7, 0.1, 0.1);

    private Ledger answeredCorrectly() {
        Ledger ledger = new Ledger(plan);
        for (PlannedRequest request : plan) {
            answer(ledger, request);
        }
        return ledger;
    }

    private static void answer(Ledger ledger, PlannedRequest request) {
        switch (request.kind()) {
            case INVALID -> ledger.deadLetter(request.id(), "INVALID_REQUEST");
            case ENGINE -> ledger.result(request.id(), "generate DONE some-model text");
            case DETERMINISTIC -> ledger.result(request.id(), request.expectedContent());
        }
    }

    private PlannedRequest first(PlannedRequest.Kind kind) {
        return plan.stream().filter(r -> r.kind() == kind).findFirst().orElseThrow();
    }

    @Test
    void aCleanRunPasses() {
        Ledger.Counts counts = answeredCorrectly().counts();
        long invalid = plan.stream().filter(PlannedRequest::expectsDeadLetter).count();
        assertThat(counts.clean()).isTrue();
        assertThat(counts.requests()).isEqualTo(200);
        assertThat(counts.results()).isEqualTo(200 - invalid);
        assertThat(counts.deadLetters()).isEqualTo(invalid);
        assertThat(invalid).isPositive();
    }

    @Test
    void aMissingAnswerIsLost() {
        PlannedRequest skipped = first(PlannedRequest.Kind.DETERMINISTIC);
        Ledger ledger = new Ledger(plan);
        plan.stream().filter(r -> r != skipped).forEach(r -> answer(ledger, r));
        Ledger.Counts counts = ledger.counts();
        assertThat(counts.lost()).isEqualTo(1);
        assertThat(counts.lostExamples()).singleElement().asString().contains(skipped.id());
        assertThat(counts.clean()).isFalse();
    }

    @Test
    void aSecondResultOrASecondDeadLetterIsADuplicate() {
        Ledger ledger = answeredCorrectly();
        PlannedRequest engine = first(PlannedRequest.Kind.ENGINE);
        PlannedRequest invalid = first(PlannedRequest.Kind.INVALID);
        ledger.result(engine.id(), "generate DONE some-model other text");
        ledger.deadLetter(invalid.id(), "INVALID_REQUEST");
        Ledger.Counts counts = ledger.counts();
        assertThat(counts.duplicated()).isEqualTo(2);
        assertThat(counts.lost()).isZero();
        assertThat(counts.results()).isEqualTo(plan.size() - plan.stream().filter(PlannedRequest::expectsDeadLetter).count() + 1);
        assertThat(counts.clean()).isFalse();
    }

    @Test
    void aResultAndADeadLetterForOneRequestAreBothADuplicateAndTheWrongKind() {
        Ledger ledger = answeredCorrectly();
        ledger.deadLetter(first(PlannedRequest.Kind.DETERMINISTIC).id(), "PROCESSING_ERROR");
        Ledger.Counts counts = ledger.counts();
        assertThat(counts.duplicated()).isEqualTo(1);
        assertThat(counts.unexpected()).isEqualTo(1);
    }

    @Test
    void deterministicContentThatDiffersFromAFaultFreeRunIsAMismatch() {
        Ledger ledger = new Ledger(plan);
        PlannedRequest changed = first(PlannedRequest.Kind.DETERMINISTIC);
        plan.stream().filter(r -> r != changed).forEach(r -> answer(ledger, r));
        ledger.result(changed.id(), changed.expectedContent() + " but different");
        Ledger.Counts counts = ledger.counts();
        assertThat(counts.mismatched()).isEqualTo(1);
        assertThat(counts.lost()).isZero();
        assertThat(counts.duplicated()).isZero();
        assertThat(counts.clean()).isFalse();
    }

    @Test
    void answersForIdsNeverSentAndDeadLettersWithoutIdAreUnexpected() {
        Ledger ledger = answeredCorrectly();
        ledger.result("never-sent", "x");
        ledger.deadLetter(null, "MALFORMED_RECORD");
        Ledger.Counts counts = ledger.counts();
        assertThat(counts.unexpected()).isEqualTo(2);
        assertThat(counts.clean()).isFalse();
    }

    @Test
    void theExpectedContentIsAPureFunctionOfTheRequest() {
        List<PlannedRequest> again = RequestPlan.plan(200, 7, 0.1, 0.1);
        assertThat(again).isEqualTo(plan);
        PlannedRequest deterministic = first(PlannedRequest.Kind.DETERMINISTIC);
        assertThat(Content.expected(deterministic.request())).isEqualTo(deterministic.expectedContent());
        assertThat(RequestPlan.plan(200, 8, 0.1, 0.1)).isNotEqualTo(plan);
    }
}

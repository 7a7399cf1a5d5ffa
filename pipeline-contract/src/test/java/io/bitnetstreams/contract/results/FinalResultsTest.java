package io.bitnetstreams.contract.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.contract.TaskKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FinalResultsTest {

    private static final long DEADLINE = 1_000_000;
    private static final long MARGIN = FinalResults.CLOCK_SKEW_MARGIN.toMillis();

    private static WorkItem.Builder item(Object task) {
        return WorkItem.newBuilder().setRequestId("r1").setTenant("acme").setChunkIndex(0).setChunkCount(1)
                .setTask(task).setText("some text").setCreatedAt(Instant.ofEpochMilli(500))
                .setMetadata(Map.of("source", "test")).setFinalResultDeadline(Instant.ofEpochMilli(DEADLINE));
    }

    private static WorkResult answer(WorkStatus status, Object output) {
        return WorkResult.newBuilder().setRequestId("r1").setChunkIndex(0).setChunkCount(1).setStatus(status)
                .setOutput(output).setError(status == WorkStatus.OK ? null : "engine fell over")
                .setUsage(new Usage(42, 1)).setTimings(new WorkTimings(1L, 2L, 0L, 1L, 1L)).setWorkerId("w")
                .setModelId("bitnet-2b").setCompletedAt(Instant.ofEpochMilli(900)).build();
    }

    private static final ClassifyTask CLASSIFY = ClassifyTask.newBuilder().setLabels(List.of("spam", "ham"))
            .setMultiLabel(true).setThresholds(Map.of("spam", 0.4)).build();
    private static final ClassificationOutput ENGINE = new ClassificationOutput(Map.of("spam", 0.7, "ham", 0.3),
            Map.of("spam", -0.4, "ham", -1.2), "spam", List.of("spam"));

    @Test
    void aWorkerMayPublishOnlyWhatTheTopologyAllowedAndOnlyClearlyBeforeTheDeadline() {
        WorkItem allowed = item(CLASSIFY).build();
        assertThat(FinalResults.workerMayPublish(allowed, DEADLINE - MARGIN - 1)).isTrue();
        assertThat(FinalResults.workerMayPublish(allowed, DEADLINE - MARGIN)).isFalse();
        assertThat(FinalResults.workerMayPublish(allowed, DEADLINE + 5)).isFalse();
        assertThat(FinalResults.workerMayPublish(item(CLASSIFY).setFinalResultDeadline(null).build(), 0)).isFalse();
        assertThat(FinalResults.workerMayPublish(item(CLASSIFY).setChunkCount(2).build(), 0)).isFalse();
    }

    @Test
    void theWorkersFinalResultIsTheOneTheTopologyWouldHaveMade() {
        WorkResult answer = answer(WorkStatus.OK, ENGINE);
        // what the topology holds for this request (ChunkProcessor) once the answer arrived
        var answers = new TreeMap<Integer, WorkResult>(Map.of(0, answer));
        PendingRequest topologys = new PendingRequest("r1", "acme", TaskKind.CLASSIFY, 500, 510, DEADLINE, List.of(3),
                List.of("spam", "ham"), true, Map.of("spam", 0.4), Map.of("source", "test"), answers, true);

        var byWorker = FinalResults.of(FinalResults.onePart(item(CLASSIFY).build(), answer), 950, false);
        var byTopology = FinalResults.of(topologys, 950, false);

        assertThat(byWorker.record()).isEqualTo(byTopology.record());
        ClassificationResult result = (ClassificationResult) byWorker.record();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getOutput()).isEqualTo(ENGINE);
        assertThat(result.getTenant()).isEqualTo("acme");
        assertThat(result.getMetadata()).containsEntry("source", "test");
        assertThat(result.getUsage().getPromptTokens()).isEqualTo(42);
        assertThat(result.getModelId()).isEqualTo("bitnet-2b");
        assertThat(result.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(500));
        assertThat(result.getCompletedAt()).isEqualTo(Instant.ofEpochMilli(950));
        assertThat(byWorker.kind()).isEqualTo(TaskKind.CLASSIFY);
    }

    @Test
    void aFailedAnswerMakesAFailedFinalResultThatSaysWhy() {
        var result = FinalResults.of(FinalResults.onePart(item(CLASSIFY).build(), answer(WorkStatus.FAILED, null)),
                950, false);
        assertThat(result.status()).isEqualTo(ResultStatus.FAILED);
        assertThat(result.error()).isEqualTo("0 of 1 chunks answered: FAILED: engine fell over");
        assertThat(((ClassificationResult) result.record()).getOutput()).isNull();
    }

    @Test
    void anExtractionIsNormalisedAndUnparsableJsonFails() {
        ExtractTask extract = ExtractTask.newBuilder().setJsonSchema("{\"type\":\"object\"}").build();
        var ok = FinalResults.of(FinalResults.onePart(item(extract).build(),
                answer(WorkStatus.OK, new ExtractionOutput("{ \"a\" : 1 }", ExtractionStatus.COMPLETE))), 950, false);
        assertThat(((ExtractionResult) ok.record()).getOutput().getJson()).isEqualTo("{\"a\":1}");
        var broken = FinalResults.of(FinalResults.onePart(item(extract).build(),
                answer(WorkStatus.OK, new ExtractionOutput("{not json", ExtractionStatus.COMPLETE))), 950, false);
        assertThat(broken.status()).isEqualTo(ResultStatus.FAILED);
    }

    @Test
    void onlyTheOneAnswerOfAnAllowedOnePartItemMakesARequest() {
        WorkResult answer = answer(WorkStatus.OK, ENGINE);
        assertThatThrownBy(() -> FinalResults.onePart(item(CLASSIFY).setFinalResultDeadline(null).build(), answer))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("allows no final result");
        assertThatThrownBy(() -> FinalResults.onePart(item(CLASSIFY).setChunkCount(2).build(), answer))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FinalResults.onePart(item(CLASSIFY).setRequestId("other").build(), answer))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

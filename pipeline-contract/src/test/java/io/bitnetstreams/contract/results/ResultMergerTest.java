package io.bitnetstreams.contract.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.engine.tasks.TaskRules;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResultMergerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void jsonMergeKeepsFirstScalarUnitesArraysAndRecurses() throws Exception {
        var first = MAPPER.readTree("{\"a\":1,\"b\":\"\",\"list\":[1,2],\"o\":{\"x\":null,\"y\":\"keep\"}}");
        var second = MAPPER.readTree("{\"a\":2,\"b\":\"fill\",\"list\":[2,3],\"o\":{\"x\":5,\"y\":\"drop\"},\"new\":true}");
        assertThat(ResultMerger.mergeJson(first, second)).isEqualTo(
                MAPPER.readTree("{\"a\":1,\"b\":\"fill\",\"list\":[1,2,3],\"o\":{\"x\":5,\"y\":\"keep\"},\"new\":true}"));
    }

    @Test
    void classificationIsWeightedByChunkLengthAndHonoursThresholds() {
        var answers = new TreeMap<Integer, WorkResult>();
        answers.put(0, classification(0, 0.0, 1.0));
        answers.put(1, classification(1, 1.0, 0.0));
        var request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 0, 0, 0, List.of(30, 10), List.of("a", "b"), true,
                Map.of("a", 0.2), Map.of(), answers, false);
        var output = ResultMerger.classification(request);
        assertThat(output.getProbabilities().get("a")).isCloseTo(0.25, within(1e-12));
        assertThat(output.getProbabilities().get("b")).isCloseTo(0.75, within(1e-12));
        assertThat(output.getArgmax()).isEqualTo("b");
        assertThat(output.getSelectedLabels()).containsExactly("a", "b");
    }

    @Test
    void extractionWithAFailedChunkIsTruncated() {
        var answers = new TreeMap<Integer, WorkResult>();
        answers.put(0, answer(0, WorkStatus.OK, new ExtractionOutput("{\"a\":1}", ExtractionStatus.COMPLETE)));
        answers.put(1, answer(1, WorkStatus.FAILED, null));
        var request = new PendingRequest("r", "t", TaskKind.EXTRACT, 0, 0, 0, List.of(5, 5), List.of(), false,
                Map.of(), Map.of(), answers, false);
        var output = ResultMerger.extraction(request);
        assertThat(output.getJson()).isEqualTo("{\"a\":1}");
        assertThat(output.getStatus().name()).isEqualTo("TRUNCATED");
    }

    @Test
    void multiLabelSelectionOfMergedChunksIsTheEnginesRule() {
        var answers = new TreeMap<Integer, WorkResult>();
        // merged: a 0.4, b 0.35, c 0.25; the engine's default threshold for 3 labels is 1/3 (it was 0.5 here)
        answers.put(0, answer(0, WorkStatus.OK, output(Map.of("a", 0.4, "b", 0.35, "c", 0.25))));
        answers.put(1, answer(1, WorkStatus.OK, output(Map.of("a", 0.4, "b", 0.35, "c", 0.25))));
        var request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 0, 0, 0, List.of(10, 10), List.of("a", "b", "c"),
                true, Map.of(), Map.of(), answers, false);
        var merged = ResultMerger.classification(request);
        assertThat(merged.getSelectedLabels())
                .containsExactlyElementsOf(TaskRules.selectLabels(request.labels(), merged.getProbabilities(), true, Map.of()))
                .containsExactly("a", "b");
    }

    @Test
    void aOneChunkClassificationIsTheEnginesOutputUnchanged() {
        var engine = new ClassificationOutput(Map.of("a", 0.3, "b", 0.7), Map.of("a", -1.2, "b", -0.36), "b", List.of("b"));
        var answers = new TreeMap<Integer, WorkResult>();
        answers.put(0, answer(0, WorkStatus.OK, engine));
        var request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 0, 0, 0, List.of(7), List.of("a", "b"), true,
                Map.of(), Map.of(), answers, false);
        assertThat(ResultMerger.classification(request)).isEqualTo(engine);
    }

    @Test
    void generationIsTheWorkersOutput() {
        var answers = new TreeMap<Integer, WorkResult>();
        answers.put(0, answer(0, WorkStatus.OK, new GenerationOutput("hi", FinishReason.LENGTH)));
        var request = new PendingRequest("r", "t", TaskKind.GENERATE, 0, 0, 0, List.of(1), List.of(), false, Map.of(),
                Map.of(), answers, false);
        assertThat(ResultMerger.generation(request)).isEqualTo(new GenerationOutput("hi", FinishReason.LENGTH));
    }

    private static ClassificationOutput output(Map<String, Double> probabilities) {
        return new ClassificationOutput(probabilities, Map.of("a", -1.0, "b", -2.0, "c", -3.0), "a", List.of("a"));
    }

    private static WorkResult classification(int chunk, double a, double b) {
        return answer(chunk, WorkStatus.OK, new ClassificationOutput(Map.of("a", a, "b", b), Map.of("a", -1.0, "b", -2.0),
                a >= b ? "a" : "b", List.of()));
    }

    static WorkResult answer(int chunk, WorkStatus status, Object output) {
        return WorkResult.newBuilder().setRequestId("r").setChunkIndex(chunk).setChunkCount(2).setStatus(status)
                .setOutput(output).setError(status == WorkStatus.OK ? null : "boom").setUsage(new Usage(1, 1))
                .setTimings(WorkTimings.newBuilder().build()).setWorkerId("w").setModelId("m")
                .setCompletedAt(Instant.EPOCH).build();
    }
}

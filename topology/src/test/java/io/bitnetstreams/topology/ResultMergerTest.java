package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.topology.state.ChunkAnswer;
import io.bitnetstreams.topology.state.PendingRequest;
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
        var answers = new TreeMap<Integer, ChunkAnswer>();
        answers.put(0, classification(0.0, 1.0));
        answers.put(1, classification(1.0, 0.0));
        var request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 0, 0, 0, List.of(30, 10), List.of("a", "b"), true,
                Map.of("a", 0.2), Map.of(), answers);
        var output = ResultMerger.classification(request);
        assertThat(output.getProbabilities().get("a")).isCloseTo(0.25, within(1e-12));
        assertThat(output.getProbabilities().get("b")).isCloseTo(0.75, within(1e-12));
        assertThat(output.getArgmax()).isEqualTo("b");
        assertThat(output.getSelectedLabels()).containsExactly("a", "b");
    }

    @Test
    void extractionWithAFailedChunkIsTruncated() {
        var answers = new TreeMap<Integer, ChunkAnswer>();
        answers.put(0, new ChunkAnswer(true, null, null, null, "{\"a\":1}", true, null, null, 0, 0, "m"));
        answers.put(1, new ChunkAnswer(false, "boom", null, null, null, false, null, null, 0, 0, "m"));
        var request = new PendingRequest("r", "t", TaskKind.EXTRACT, 0, 0, 0, List.of(5, 5), List.of(), false,
                Map.of(), Map.of(), answers);
        var output = ResultMerger.extraction(request);
        assertThat(output.getJson()).isEqualTo("{\"a\":1}");
        assertThat(output.getStatus().name()).isEqualTo("TRUNCATED");
    }

    private static ChunkAnswer classification(double a, double b) {
        return new ChunkAnswer(true, null, Map.of("a", a, "b", b), Map.of("a", -1.0, "b", -2.0), null, false, null, null,
                1, 1, "m");
    }
}

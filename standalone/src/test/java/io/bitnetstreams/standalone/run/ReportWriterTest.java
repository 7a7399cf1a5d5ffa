package io.bitnetstreams.standalone.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.launcher.client.OutcomeStatus;
import io.bitnetstreams.standalone.input.InputBatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Outcome> outcomes = List.of(
            new Outcome("a", 1, "classify", OutcomeStatus.DONE, "invoice (p=0.90)",
                    MAPPER.createObjectNode().put("label", "invoice"), null, 120, 40, 3),
            new Outcome("b", 2, "extract", OutcomeStatus.DEAD_LETTER, "dead letter: INVALID_REQUEST: x", null,
                    "INVALID_REQUEST: x", -1, 0, 0),
            new Outcome(null, 4, null, OutcomeStatus.DEAD_LETTER, "dead letter: not valid JSON", null,
                    "not valid JSON", -1, 0, 0));

    @Test
    void writesOneOutcomePerRequestAndPerIdlessDeadLetterWithTheSummary() throws Exception {
        RunSummary summary = RunSummary.of(5, outcomes, 2, 1, 0, 2.0);
        Path file = dir.resolve("sub/report.json");

        ReportWriter.write(file, ReportWriter.toJson(summary, outcomes, List.of(new InputBatch.Duplicate(5, "a")),
                Map.of("model_origin", "SYNTHETIC")));

        JsonNode report = MAPPER.readTree(file.toFile());
        JsonNode s = report.get("summary");
        assertThat(s.get("requests").asInt()).isEqualTo(2);
        assertThat(s.get("results").asInt()).isEqualTo(1);
        assertThat(s.get("dead_letters").asInt()).isEqualTo(2);
        assertThat(s.get("duplicates").asInt()).isEqualTo(1);
        assertThat(s.get("complete").asBoolean()).isTrue();
        assertThat(s.get("documents_per_second").asDouble()).isEqualTo(0.5);
        assertThat(s.get("model_origin").asText()).isEqualTo("SYNTHETIC");

        JsonNode list = report.get("outcomes");
        assertThat(list).hasSize(3);
        assertThat(list.get(0).get("status").asText()).isEqualTo("DONE");
        assertThat(list.get(0).get("result").get("label").asText()).isEqualTo("invoice");
        assertThat(list.get(0).get("latency_ms").asLong()).isEqualTo(120);
        assertThat(list.get(0).has("reason")).isFalse();
        assertThat(list.get(1).get("status").asText()).isEqualTo("DEAD_LETTER");
        assertThat(list.get(1).get("reason").asText()).isEqualTo("INVALID_REQUEST: x");
        assertThat(list.get(1).has("result")).isFalse();
        assertThat(list.get(2).get("id").isNull()).isTrue();
        assertThat(list.get(2).get("line").asInt()).isEqualTo(4);
        assertThat(report.get("duplicates").get(0).get("id").asText()).isEqualTo("a");
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void tableCellsAreOneLineWithoutControlCharactersAndCutWholeCharacters() {
        assertThat(ResultsTable.oneLine("a\u001b[2Jb\n\tc  d")).isEqualTo("a?[2Jb c d");
        assertThat(ResultsTable.fit("\uD83D\uDE00".repeat(10), 5)).isEqualTo("\uD83D\uDE00\uD83D\uDE00...");
        assertThat(ResultsTable.fit("short", 5)).isEqualTo("short");
    }

    @Test
    void tableAndSummaryShowEveryOutcomeAndTheNumbers() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);

        ResultsTable.print(out, outcomes);
        ResultsTable.printSummary(out, RunSummary.of(5, outcomes, 2, 1, 0, 2.0));

        assertThat(text.toString())
                .contains("invoice (p=0.90)").contains("120 ms").contains("(line 4)")
                .contains("dead letter: not valid JSON")
                .contains("1 results (1 done), 2 dead letters, 1 duplicates")
                .contains("0.50 documents/s").contains("p50 120 ms");
    }
}

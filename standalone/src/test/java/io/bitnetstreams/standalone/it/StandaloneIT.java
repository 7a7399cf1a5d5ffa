package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.standalone.input.SampleCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start for real: {@code bitnet-streams standalone} from the packaged jar in a child JVM (embedded KRaft broker, Apicurio registry
 * process, topology, worker on a synthetic model) on a subset of the bundled sample with every task and every error
 * path; every request must end exactly once.
 */
class StandaloneIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Valid input, but prompt plus max_tokens exceed the synthetic model's 2,048-token context: the topology refuses it. */
    private static final String TOO_LONG = "too-long-for-the-context";

    @TempDir
    Path dir;

    @Test
    void everySampleRequestEndsExactlyOnce() throws Exception {
        Path input = dir.resolve("subset.jsonl");
        List<String> subset = subsetOfTheSample();
        Files.write(input, subset);
        JsonNode json = PackagedLauncher.runStandalone(dir, input);
        JsonNode summary = json.get("summary");
        JsonNode outcomes = json.get("outcomes");

        Set<String> expectedIds = new HashSet<>();
        for (String line : subset) {
            JsonNode node = parseOrNull(line);
            if (node != null && node.has("id")) {
                expectedIds.add(node.get("id").asText());
            }
        }
        Map<String, Integer> outcomesPerId = new HashMap<>();
        int idless = 0;
        for (JsonNode outcome : outcomes) {
            if (outcome.get("id").isNull()) {
                idless++;
                assertThat(outcome.get("status").asText()).isEqualTo("DEAD_LETTER");
                assertThat(outcome.get("line").asInt()).isPositive();
            } else {
                outcomesPerId.merge(outcome.get("id").asText(), 1, Integer::sum);
            }
        }
        // one outcome per distinct id, plus one per line without a usable id (the malformed line)
        assertThat(outcomesPerId.keySet()).isEqualTo(expectedIds);
        assertThat(outcomesPerId.values()).containsOnly(1);
        assertThat(idless).isEqualTo(1);
        assertThat(summary.get("duplicates").asInt()).isEqualTo(1);
        // two refused while reading (malformed line, no labels), one by the topology (prompt + max_tokens > context)
        assertThat(summary.get("dead_letters").asInt()).isEqualTo(3);
        assertThat(summary.get("timed_out").asInt()).isZero();
        assertThat(summary.get("repeated_results").asInt()).isZero();
        assertThat(summary.get("results").asInt()).isEqualTo(expectedIds.size() - 2);
        for (JsonNode outcome : outcomes) {
            String id = outcome.get("id").asText("");
            if (id.equals(TOO_LONG)) {
                assertThat(outcome.get("status").asText()).isEqualTo("DEAD_LETTER");
                assertThat(outcome.get("reason").asText()).startsWith("PROMPT_TOO_LONG");
            } else if (!id.equals("no-labels") && !outcome.get("id").isNull()) {
                assertThat(outcome.get("status").asText()).as(id).isEqualTo("DONE");
                assertThat(outcome.get("latency_ms").asLong()).as(id).isPositive();
                assertThat(outcome.get("result").get("output")).as(id).isNotNull();
            }
            if (id.endsWith("/classify")) {
                assertThat(SampleCorpus.labels()).contains(outcome.get("result").get("output").get("label").asText());
            }
        }
        assertThat(summary.get("prompt_tokens").asLong()).isPositive();
        assertThat(summary.get("model_origin").asText()).isEqualTo("SYNTHETIC");
        assertThat(Files.readString(dir.resolve("stdout.txt"))).contains("SYNTHETIC model").contains("MEANINGLESS").contains("documents/s");
    }

    /** Six classifications, three extractions, two generations and the three deliberate error lines of the sample,
     * plus one request the topology must dead-letter. */
    private static List<String> subsetOfTheSample() {
        List<String> lines = SampleCorpus.requestLines();
        List<String> subset = new ArrayList<>();
        int classify = 0;
        int extract = 0;
        int generate = 0;
        for (String line : lines.subList(0, lines.size() - 3)) {
            String task = parseOrNull(line).get("task").asText();
            switch (task) {
                case "classify" -> {
                    if (classify++ < 6) {
                        subset.add(line);
                    }
                }
                case "extract" -> {
                    if (extract++ < 3) {
                        subset.add(line);
                    }
                }
                default -> {
                    if (generate++ < 2) {
                        subset.add(line);
                    }
                }
            }
        }
        subset.add("{\"id\": \"" + TOO_LONG + "\", \"task\": \"generate\", \"prompt\": \"Tell a long story.\", \"max_tokens\": 2048}");
        subset.addAll(lines.subList(lines.size() - 3, lines.size()));
        return subset;
    }

    private static JsonNode parseOrNull(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (Exception e) {
            return null;
        }
    }
}

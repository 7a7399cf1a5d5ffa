package io.bitnetstreams.standalone.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.standalone.input.InputBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable report of a run:
 * <pre>{"summary": {"requests", "results", "dead_letters", "duplicates", ...},
 *  "outcomes": [{"id", "line", "task", "status", "result" | "reason", "latency_ms", ...}, ...],
 *  "duplicates": [{"id", "line"}, ...]}</pre>
 * One outcome per distinct request id plus one per dead letter whose line had no usable id ({@code "id": null}).
 */
public final class ReportWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    public static ObjectNode toJson(RunSummary summary, List<Outcome> outcomes, List<InputBatch.Duplicate> duplicates,
                                    Map<String, String> context) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode s = root.putObject("summary");
        s.put("lines", summary.lines());
        s.put("requests", summary.requests());
        s.put("results", summary.results());
        s.put("done", summary.done());
        s.put("dead_letters", summary.deadLetters());
        s.put("duplicates", summary.duplicates());
        s.put("timed_out", summary.timedOut());
        s.put("repeated_results", summary.repeatedResults());
        s.put("complete", summary.complete());
        s.put("seconds", round(summary.seconds()));
        s.put("documents_per_second", round(summary.documentsPerSecond()));
        s.put("latency_p50_ms", summary.p50Ms());
        s.put("latency_p95_ms", summary.p95Ms());
        s.put("latency_max_ms", summary.maxMs());
        s.put("prompt_tokens", summary.promptTokens());
        s.put("generated_tokens", summary.generatedTokens());
        s.put("prompt_tokens_per_second", round(summary.promptTokensPerSecond()));
        s.put("generated_tokens_per_second", round(summary.generatedTokensPerSecond()));
        context.forEach(s::put);
        ArrayNode list = root.putArray("outcomes");
        for (Outcome outcome : outcomes) {
            ObjectNode o = list.addObject();
            o.put("id", outcome.id());
            o.put("line", outcome.line());
            o.put("task", outcome.task());
            o.put("status", outcome.status().name());
            if (outcome.result() != null) {
                o.set("result", outcome.result());
            }
            if (outcome.reason() != null) {
                o.put("reason", outcome.reason());
            }
            if (outcome.latencyMs() >= 0) {
                o.put("latency_ms", outcome.latencyMs());
            }
            if (outcome.status().isResult()) {
                o.put("prompt_tokens", outcome.promptTokens());
                o.put("generated_tokens", outcome.generatedTokens());
            }
        }
        ArrayNode repeated = root.putArray("duplicates");
        for (InputBatch.Duplicate duplicate : duplicates) {
            repeated.addObject().put("id", duplicate.id()).put("line", duplicate.line());
        }
        return root;
    }

    /** Writes the report through a temporary file, so a reader never sees half a report. */
    public static void write(Path file, ObjectNode report) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        MAPPER.writeValue(temporary.toFile(), report);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}

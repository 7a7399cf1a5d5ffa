package io.bitnetstreams.launcher.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads the pipeline's final records (the three result types and dead letters) into {@link Ending}s. */
public final class ResultMapper {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultMapper() {
    }

    /** The request id a final record answers, or empty for records that are not final answers. */
    public static Optional<String> requestId(Object record) {
        return Optional.ofNullable(switch (record) {
            case ClassificationResult r -> r.getRequestId();
            case ExtractionResult r -> r.getRequestId();
            case GenerationResult r -> r.getRequestId();
            case DeadLetter d -> d.getRequestId();
            case null, default -> null;
        });
    }

    public static Ending toEnding(Object record) {
        return switch (record) {
            case ClassificationResult r -> ending(r.getStatus(), r.getError(), r.getUsage(), classification(r.getOutput()),
                    r.getOutput() == null ? null : classificationSummary(r.getOutput()), r.getChunksAnswered(), r.getChunksTotal());
            case ExtractionResult r -> ending(r.getStatus(), r.getError(), r.getUsage(), extraction(r.getOutput()),
                    r.getOutput() == null ? null : r.getOutput().getStatus() + " " + r.getOutput().getJson(),
                    r.getChunksAnswered(), r.getChunksTotal());
            case GenerationResult r -> ending(r.getStatus(), r.getError(), r.getUsage(), generation(r.getOutput()),
                    r.getOutput() == null ? null : "\"" + r.getOutput().getText() + "\" (" + r.getOutput().getFinishReason() + ")",
                    r.getChunksAnswered(), r.getChunksTotal());
            case DeadLetter d -> Ending.deadLetter(d.getReason() + ": " + d.getMessage());
            default -> throw new IllegalArgumentException("not a final record: " + record);
        };
    }

    private static Ending ending(ResultStatus status, String error, Usage usage, JsonNode output, String summary,
                                 int answered, int total) {
        OutcomeStatus outcome = switch (status) {
            case DONE -> OutcomeStatus.DONE;
            case PARTIAL -> OutcomeStatus.PARTIAL;
            case FAILED -> OutcomeStatus.FAILED;
        };
        String line = summary == null ? "failed: " + error
                : status == ResultStatus.DONE ? summary : summary + " [" + answered + "/" + total + " chunks: " + error + "]";
        ObjectNode result = MAPPER.createObjectNode();
        if (output != null) {
            result.set("output", output);
        }
        result.put("chunks_answered", answered).put("chunks_total", total);
        return new Ending(outcome, line, result, error, usage.getPromptTokens(), usage.getGeneratedTokens());
    }

    static String classificationSummary(ClassificationOutput output) {
        Double probability = output.getProbabilities().get(output.getArgmax());
        return String.format(Locale.ROOT, "%s (p=%.2f)", output.getArgmax(), probability == null ? Double.NaN : probability);
    }

    private static JsonNode classification(ClassificationOutput output) {
        if (output == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode().put("label", output.getArgmax());
        ObjectNode probabilities = node.putObject("probabilities");
        for (Map.Entry<String, Double> entry : output.getProbabilities().entrySet()) {
            probabilities.put(entry.getKey(), entry.getValue());
        }
        output.getSelectedLabels().forEach(node.putArray("selected")::add);
        return node;
    }

    private static JsonNode extraction(ExtractionOutput output) {
        if (output == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode().put("status", output.getStatus().name());
        try {
            node.set("json", MAPPER.readTree(output.getJson()));
        } catch (JsonProcessingException e) {
            node.put("json_text", output.getJson());
        }
        return node;
    }

    private static JsonNode generation(GenerationOutput output) {
        if (output == null) {
            return null;
        }
        return MAPPER.createObjectNode().put("text", output.getText()).put("finish_reason", output.getFinishReason().name());
    }
}

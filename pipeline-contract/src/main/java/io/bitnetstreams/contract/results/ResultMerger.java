package io.bitnetstreams.contract.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.engine.tasks.TaskRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Merges the answered chunks of a request into one output. Only OK answers take part. */
public final class ResultMerger {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultMerger() {}

    /**
     * Probabilities and log-likelihoods averaged over the chunks, weighted by chunk length in tokens, then
     * renormalised; labels are reported in the caller's order; the argmax and the selected labels follow the
     * engine's rule ({@link TaskRules#selectLabels}) on the merged probabilities. A one-chunk request gets the
     * engine's output unchanged. Null when no chunk answered.
     */
    public static ClassificationOutput classification(PendingRequest request) {
        if (request.chunkCount() == 1 && request.okCount() == 1) {
            // one chunk: the engine's scores and selection, exactly as it computed them
            return ClassificationOutput.newBuilder((ClassificationOutput) request.answers().firstEntry().getValue().getOutput())
                    .build();
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        Map<String, Double> logLikelihoods = new LinkedHashMap<>();
        request.labels().forEach(label -> {
            probabilities.put(label, 0.0);
            logLikelihoods.put(label, 0.0);
        });
        double totalWeight = 0;
        for (var entry : request.answers().entrySet()) {
            if (!request.usable(entry.getValue())) {
                continue;
            }
            ClassificationOutput answer = (ClassificationOutput) entry.getValue().getOutput();
            double weight = Math.max(1, request.chunkTokens().get(entry.getKey()));
            totalWeight += weight;
            for (String label : request.labels()) {
                probabilities.merge(label, weight * answer.getProbabilities().getOrDefault(label, 0.0), Double::sum);
                logLikelihoods.merge(label, weight * answer.getLogLikelihoods().getOrDefault(label, 0.0), Double::sum);
            }
        }
        if (totalWeight == 0) {
            return null;
        }
        double mass = probabilities.values().stream().mapToDouble(Double::doubleValue).sum();
        double weight = totalWeight;
        probabilities.replaceAll((label, sum) -> mass > 0 ? sum / mass : 1.0 / request.labels().size());
        logLikelihoods.replaceAll((label, sum) -> sum / weight);
        String argmax = TaskRules.argmax(request.labels(), probabilities);
        List<String> selected = new ArrayList<>(TaskRules.selectLabels(request.labels(), probabilities,
                request.multiLabel(), request.thresholds()));
        return new ClassificationOutput(probabilities, logLikelihoods, argmax, selected);
    }

    /**
     * The chunks' JSON objects merged field by field in chunk order: the first non-empty scalar wins, arrays are
     * united (order kept, duplicates dropped), objects merge recursively. COMPLETE only when every chunk answered
     * with complete JSON. Chunks whose JSON does not parse are skipped. Null when no chunk answered usably.
     */
    public static ExtractionOutput extraction(PendingRequest request) {
        JsonNode merged = null;
        boolean complete = request.complete();
        for (WorkResult answer : request.answers().values()) {
            if (!request.usable(answer)) {
                complete = false;
                continue;
            }
            ExtractionOutput output = (ExtractionOutput) answer.getOutput();
            JsonNode node;
            try {
                node = MAPPER.readTree(output.getJson());
            } catch (JsonProcessingException e) {
                complete = false;
                continue;
            }
            complete &= output.getStatus() == ExtractionStatus.COMPLETE;
            merged = merged == null ? node : mergeJson(merged, node);
        }
        if (merged == null) {
            return null;
        }
        return new ExtractionOutput(merged.toString(), complete ? ExtractionStatus.COMPLETE : ExtractionStatus.TRUNCATED);
    }

    /** Merge of two JSON values, {@code first} taking precedence for scalars. */
    public static JsonNode mergeJson(JsonNode first, JsonNode second) {
        if (isEmpty(first)) {
            return second.deepCopy();
        }
        if (isEmpty(second)) {
            return first.deepCopy();
        }
        if (first.isObject() && second.isObject()) {
            ObjectNode result = ((ObjectNode) first).deepCopy();
            second.properties().forEach(field -> {
                JsonNode existing = result.get(field.getKey());
                result.set(field.getKey(), existing == null ? field.getValue().deepCopy() : mergeJson(existing, field.getValue()));
            });
            return result;
        }
        if (first.isArray() && second.isArray()) {
            ArrayNode result = ((ArrayNode) first).deepCopy();
            for (JsonNode element : second) {
                if (!contains(result, element)) {
                    result.add(element.deepCopy());
                }
            }
            return result;
        }
        return first.deepCopy();
    }

    private static boolean contains(ArrayNode array, JsonNode element) {
        for (JsonNode each : array) {
            if (each.equals(element)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isEmpty(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode()
                || (node.isTextual() && node.asText().isEmpty())
                || (node.isContainerNode() && node.isEmpty());
    }

    /** The one generation chunk's output, as the worker sent it; null when it did not answer. */
    public static GenerationOutput generation(PendingRequest request) {
        for (WorkResult answer : request.answers().values()) {
            if (request.usable(answer)) {
                return (GenerationOutput) answer.getOutput();
            }
        }
        return null;
    }

}

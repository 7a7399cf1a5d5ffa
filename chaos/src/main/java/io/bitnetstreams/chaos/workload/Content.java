package io.bitnetstreams.chaos.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a final result that must not depend on faults: status, model and output, with the run-dependent
 * parts (timestamps, timings, usage) left out and the extraction JSON in canonical form. {@link #expected} is what
 * the deterministic executor's rules give for a request: a pure function of the request, i.e. what a run without
 * faults gives.
 */
public final class Content {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Content() {
    }

    /** The content of a classify or extract request answered by the keyword executor. */
    public static String expected(InferenceRequest request) {
        return switch (request.getTask()) {
            case ClassifyTask task -> classification(ResultStatus.DONE, KeywordWorkExecutor.MODEL_ID,
                    KeywordWorkExecutor.classify(task, request.getText()));
            case ExtractTask ignored -> extraction(ResultStatus.DONE, KeywordWorkExecutor.MODEL_ID,
                    KeywordWorkExecutor.extract(request.getText()));
            default -> throw new IllegalArgumentException("only classify and extract are deterministic here");
        };
    }

    /** The content of a final result record (any of the three kinds). */
    public static String of(Object result) {
        return switch (result) {
            case ClassificationResult r -> classification(r.getStatus(), r.getModelId(), r.getOutput());
            case ExtractionResult r -> extraction(r.getStatus(), r.getModelId(), r.getOutput());
            case GenerationResult r -> "generate " + r.getStatus() + " " + r.getModelId() + " "
                    + (r.getOutput() == null ? "-" : r.getOutput().getText());
            default -> throw new IllegalArgumentException("not a final result: " + result.getClass().getName());
        };
    }

    private static String classification(ResultStatus status, String model, ClassificationOutput output) {
        if (output == null) {
            return "classify " + status + " " + model + " -";
        }
        // sorted: the map's order is not part of the answer
        Map<String, Double> probabilities = new TreeMap<>(output.getProbabilities());
        return "classify " + status + " " + model + " argmax=" + output.getArgmax() + " selected="
                + output.getSelectedLabels() + " p=" + probabilities;
    }

    private static String extraction(ResultStatus status, String model, ExtractionOutput output) {
        if (output == null) {
            return "extract " + status + " " + model + " -";
        }
        return "extract " + status + " " + model + " " + output.getStatus() + " " + canonicalJson(output.getJson());
    }

    private static String canonicalJson(String json) {
        try {
            Object tree = JSON.readValue(json, Object.class);
            return JSON.writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            return "unparseable:" + json;
        }
    }
}

package io.bitnetstreams.engine.tasks;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Classify {@code text} into {@code labels}.
 *
 * @param instruction optional task description (null for a default)
 * @param examples    few-shot examples, part of the shared (cached) prompt prefix
 * @param multiLabel  when true, every label whose probability reaches its threshold is selected
 * @param thresholds  per-label thresholds for multi-label (absent labels use 1 / labels.size())
 * @param deadline    null for none
 */
public record ClassificationRequest(String text, List<String> labels, String instruction, List<Example> examples,
                                    boolean multiLabel, Map<String, Double> thresholds, Instant deadline) {

    public record Example(String text, String label) {
    }

    public ClassificationRequest {
        labels = labels == null ? List.of() : List.copyOf(labels);
        examples = examples == null ? List.of() : List.copyOf(examples);
        thresholds = thresholds == null ? Map.of() : Map.copyOf(thresholds);
    }

    public static ClassificationRequest of(String text, List<String> labels) {
        return new ClassificationRequest(text, labels, null, List.of(), false, Map.of(), null);
    }
}

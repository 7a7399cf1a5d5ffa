package io.bitnetstreams.loadtest.workload;

import io.bitnetstreams.contract.TaskKind;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The share of each task in the load, e.g. {@code classify=80,extract=15,generate=5}. Weights are relative (they need
 * not sum to 100); a task left out gets none.
 */
public record TaskMix(Map<TaskKind, Double> weights) {

    public TaskMix {
        weights = Map.copyOf(weights);
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        if (weights.values().stream().anyMatch(w -> !(w >= 0) || w.isInfinite()) || !(total > 0)) {
            throw new IllegalArgumentException("task weights must be non-negative with a positive sum: " + weights);
        }
    }

    public static TaskMix classifyOnly() {
        return new TaskMix(Map.of(TaskKind.CLASSIFY, 1.0));
    }

    /** Parses {@code classify=80,extract=15,generate=5} ({@code :} works as well as {@code =}). */
    public static TaskMix parse(String text) {
        Map<TaskKind, Double> weights = new EnumMap<>(TaskKind.class);
        for (String part : text.split(",")) {
            String[] pair = part.strip().split("[=:]", 2);
            TaskKind kind = TaskKind.fromWireName(pair[0].strip().toLowerCase(Locale.ROOT)).orElseThrow(
                    () -> new IllegalArgumentException("unknown task '" + pair[0].strip() + "' in --mix (classify, extract, generate)"));
            double weight;
            try {
                weight = pair.length == 2 ? Double.parseDouble(pair[1].strip()) : 1.0;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix weight of " + kind.wireName() + " is not a number: " + pair[1]);
            }
            if (weights.put(kind, weight) != null) {
                throw new IllegalArgumentException("--mix names " + kind.wireName() + " twice");
            }
        }
        return new TaskMix(weights);
    }

    /** The task for one request, drawn with the mix's probabilities. */
    public TaskKind pick(Random random) {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        double point = random.nextDouble() * total;
        TaskKind last = null;
        for (TaskKind kind : TaskKind.values()) {
            Double weight = weights.get(kind);
            if (weight == null || weight == 0) {
                continue;
            }
            last = kind;
            point -= weight;
            if (point < 0) {
                return kind;
            }
        }
        return last;
    }

    /** Percent of each task, for reports. */
    public Map<String, Double> percentages() {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        for (TaskKind kind : TaskKind.values()) {
            if (weights.getOrDefault(kind, 0.0) > 0) {
                shares.put(kind.wireName(), 100.0 * weights.get(kind) / total);
            }
        }
        return shares;
    }
}

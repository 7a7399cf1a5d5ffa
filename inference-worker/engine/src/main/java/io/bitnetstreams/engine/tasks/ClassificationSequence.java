package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.BatchedForward.Segment;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.ModelMath;
import io.bitnetstreams.engine.tasks.ClassificationResult.LabelScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Classification: one prompt pass, then every label's continuation scored in one step as a batch
 * of forks that attend to the shared prompt KV (never copied). Only the positions whose next-token
 * distribution a label score needs get LM-head logits: the prompt's last token and each label token
 * but the last; a one-token label needs no extra pass at all.
 */
final class ClassificationSequence extends Sequence {

    private final CompletableFuture<ClassificationResult> future = new CompletableFuture<>();
    private final BitNetModel model;
    private final PromptRun prompt;
    private final List<String> labels;
    private final int[][] labelTokens;
    private final boolean multiLabel;
    private final Map<String, Double> thresholds;
    private final double[] logLikelihood;
    private final float[][] labelLogits;
    private final List<Integer> planned = new ArrayList<>();
    private final int stepBudget;
    private int nextLabel;

    ClassificationSequence(BitNetModel model, PromptRun prompt, List<String> labels, int[][] labelTokens,
                           boolean multiLabel, Map<String, Double> thresholds, java.time.Instant deadline,
                           long reservedTokens, int stepBudget) {
        super(deadline, reservedTokens);
        this.stepBudget = stepBudget;
        this.labelLogits = new float[labels.size()][];
        this.model = model;
        this.prompt = prompt;
        this.labels = labels;
        this.labelTokens = labelTokens;
        this.multiLabel = multiLabel;
        this.thresholds = thresholds;
        this.logLikelihood = new double[labels.size()];
    }

    @Override
    CompletableFuture<ClassificationResult> future() {
        return future;
    }

    @Override
    boolean decoding() {
        return false;
    }

    @Override
    int plan(int budget, boolean force, List<Segment> out) {
        if (!prompt.finished()) {
            Segment s = prompt.next(budget);
            if (s == null) {
                return 0;
            }
            out.add(s);
            return s.tokens().length;
        }
        // label forks run in as many steps as the budget needs; a fork larger than a whole step runs alone
        int used = 0;
        planned.clear();
        for (int l = nextLabel; l < labelTokens.length; l++) {
            int[] tokens = labelTokens[l];
            if (tokens.length == 1 || labelLogits[l] != null) {
                continue;
            }
            int n = tokens.length - 1;
            boolean alone = out.isEmpty() && planned.isEmpty();
            if (used + n > budget && !(alone && (force || n > stepBudget))) {
                break;
            }
            int[] input = Arrays.copyOf(tokens, n);
            int[] rows = new int[n];
            Arrays.setAll(rows, i -> i);
            out.add(new Segment(prompt.asContext(), model.newCache(n), input, rows));
            planned.add(l);
            used += n;
        }
        return used;
    }

    @Override
    void consume(List<Segment> segments, float[][] logits) {
        if (!prompt.finished()) {
            prompt.completed(segments.getFirst(), logits[0]);
            if (prompt.finished()) {
                promptDone();
                advanceLabels();
            }
            return;
        }
        for (int i = 0; i < planned.size(); i++) {
            labelLogits[planned.get(i)] = logits[i];
        }
        advanceLabels();
    }

    /** Skips labels already scored; finishes when none is left. */
    private void advanceLabels() {
        while (nextLabel < labelTokens.length && (labelTokens[nextLabel].length == 1 || labelLogits[nextLabel] != null)) {
            nextLabel++;
        }
        if (nextLabel == labelTokens.length) {
            finish();
        }
    }

    private void finish() {
        int vocab = model.config().vocabSize();
        float[] first = prompt.lastLogits();
        for (int l = 0; l < labelTokens.length; l++) {
            int[] tokens = labelTokens[l];
            double sum = ModelMath.logSoftmaxAt(first, 0, vocab, tokens[0]);
            if (tokens.length > 1) {
                float[] rows = labelLogits[l];
                for (int i = 1; i < tokens.length; i++) {
                    sum += ModelMath.logSoftmaxAt(rows, (i - 1) * vocab, vocab, tokens[i]);
                }
            }
            logLikelihood[l] = sum;
        }
        future.complete(result());
    }

    private ClassificationResult result() {
        double max = Double.NEGATIVE_INFINITY;
        for (double ll : logLikelihood) {
            max = Math.max(max, ll);
        }
        double total = 0;
        double[] p = new double[logLikelihood.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logLikelihood[i] - max);
            total += p[i];
        }
        List<LabelScore> scores = new ArrayList<>();
        Map<String, Double> probabilities = new java.util.HashMap<>();
        for (int i = 0; i < p.length; i++) {
            p[i] /= total;
            scores.add(new LabelScore(labels.get(i), p[i], logLikelihood[i]));
            probabilities.put(labels.get(i), p[i]);
        }
        List<String> selected = TaskRules.selectLabels(labels, probabilities, multiLabel, thresholds);
        int scored = 0;
        for (int[] tokens : labelTokens) {
            scored += tokens.length;
        }
        return new ClassificationResult(TaskRules.argmax(labels, probabilities), scores, selected,
                stats(prompt.tokens().length, scored));
    }

    @Override
    void released() {
        prompt.abandon();
    }

    @Override
    void deadlineExceeded() {
        fail(new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "deadline passed before the classification finished"));
    }
}

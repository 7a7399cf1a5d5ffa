package io.bitnetstreams.engine.tasks;

import java.util.List;

/**
 * Label probabilities (softmax of the label log-likelihoods; they sum to 1), the raw
 * log-likelihood of each label's tokens after the prompt, the argmax label and, for multi-label
 * requests, the labels that reached their threshold ({@link TaskRules#selectLabels}), and what the
 * engine measured ({@code stats.generatedTokens()}: the label tokens scored).
 */
public record ClassificationResult(String label, List<LabelScore> labels, List<String> selected, RunStats stats) {

    public record LabelScore(String label, double probability, double logLikelihood) {
    }
}

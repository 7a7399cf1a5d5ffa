package io.bitnetstreams.topology.state;

import java.util.Map;

/**
 * What one worker answered for one chunk, reduced to what the merge needs.
 *
 * @param ok              the worker status was OK and an output of the request's kind was present
 * @param error           the worker's error when not ok
 * @param probabilities   classification: label -> probability
 * @param logLikelihoods  classification: label -> log-likelihood
 * @param json            extraction: the JSON text
 * @param complete        extraction: the JSON was complete
 * @param text            generation: the text
 * @param finishReason    generation: why it ended
 * @param promptTokens    usage
 * @param generatedTokens usage
 * @param modelId         model that answered
 */
public record ChunkAnswer(boolean ok, String error, Map<String, Double> probabilities, Map<String, Double> logLikelihoods,
                          String json, boolean complete, String text, String finishReason, int promptTokens,
                          int generatedTokens, String modelId) {
}

package io.bitnetstreams.standalone.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.bitnetstreams.launcher.client.OutcomeStatus;

/**
 * The end of one request (or of one input line that could not become a request).
 *
 * @param id        the caller's id; null for a dead letter whose line had no usable id
 * @param line      1-based input line (or file) number
 * @param task      classify, extract or generate; null when unknown (dead letter)
 * @param latencyMs from sending to the final record; -1 when not sent or not ended
 */
public record Outcome(String id, int line, String task, OutcomeStatus status, String summary, JsonNode result,
                      String reason, long latencyMs, int promptTokens, int generatedTokens) {
}

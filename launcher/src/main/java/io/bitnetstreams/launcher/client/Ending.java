package io.bitnetstreams.launcher.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the pipeline answered for one request: a result record (DONE, PARTIAL, FAILED) or a dead letter.
 *
 * @param summary one line for the results table
 * @param result  the result as JSON for the report (null for dead letters)
 * @param reason  why it failed, is partial or was dead-lettered (null when DONE)
 */
public record Ending(OutcomeStatus status, String summary, JsonNode result, String reason, int promptTokens,
                     int generatedTokens) {

    public static Ending deadLetter(String reason) {
        return new Ending(OutcomeStatus.DEAD_LETTER, "dead letter: " + reason, null, reason, 0, 0);
    }
}

package io.bitnetstreams.engine.tasks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The extracted document. COMPLETE results validate against the schema; TRUNCATED ones (token
 * limit or deadline) hold the fields completed so far and are always valid JSON.
 */
public record ExtractionResult(JsonNode result, Status status, int generatedTokens, RunStats stats) {

    public enum Status { COMPLETE, TRUNCATED }
}

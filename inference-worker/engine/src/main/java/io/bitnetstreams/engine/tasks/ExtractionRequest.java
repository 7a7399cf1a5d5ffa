package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.sampling.SamplingParams;
import java.time.Instant;

/**
 * Extract JSON matching {@code schema} (JSON Schema text, see {@link io.bitnetstreams.engine.json.JsonSchemaParser})
 * from {@code text}.
 *
 * @param instruction optional instruction (null for a default that names the schema)
 * @param maxTokens   generated-token limit; reaching it gives a TRUNCATED result
 * @param sampling    null for greedy
 */
public record ExtractionRequest(String text, String schema, String instruction, int maxTokens, SamplingParams sampling,
                                Instant deadline) {

    public static ExtractionRequest of(String text, String schema, int maxTokens) {
        return new ExtractionRequest(text, schema, null, maxTokens, null, null);
    }
}

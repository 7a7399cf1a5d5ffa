package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.sampling.SamplingParams;
import java.time.Instant;
import java.util.List;

/** A one-turn chat generation. {@code system} and {@code sampling} may be null (greedy). */
public record GenerationRequest(String system, String user, SamplingParams sampling, List<String> stopStrings,
                                int maxTokens, Instant deadline) {

    public GenerationRequest {
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static GenerationRequest of(String user, int maxTokens) {
        return new GenerationRequest(null, user, null, List.of(), maxTokens, null);
    }
}

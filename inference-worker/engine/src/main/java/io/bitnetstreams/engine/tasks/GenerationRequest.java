package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.chat.ChatMessage;
import io.bitnetstreams.engine.sampling.SamplingParams;
import java.time.Instant;
import java.util.List;

/**
 * A chat generation: the answer to {@code conversation} (every turn, in order; build it with
 * {@link TaskRules#conversation} from request fields). {@code sampling} may be null (greedy).
 */
public record GenerationRequest(List<ChatMessage> conversation, SamplingParams sampling, List<String> stopStrings,
                                int maxTokens, Instant deadline) {

    public GenerationRequest {
        conversation = conversation == null ? List.of() : List.copyOf(conversation);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    /** A one-turn generation; {@code system} may be null. */
    public GenerationRequest(String system, String user, SamplingParams sampling, List<String> stopStrings,
                             int maxTokens, Instant deadline) {
        // a missing user turn leaves the conversation empty: the engine refuses it with a clear reason
        this(user == null ? List.of() : ChatFormat.oneTurn(system, user), sampling, stopStrings, maxTokens, deadline);
    }

    public static GenerationRequest of(String user, int maxTokens) {
        return new GenerationRequest(null, user, null, List.of(), maxTokens, null);
    }
}

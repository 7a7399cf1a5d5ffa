package io.bitnetstreams.engine.tasks;

import java.time.Duration;

/**
 * What the engine measured for one request, as it measured it.
 *
 * @param promptTokens    tokens of the whole prompt (chat template, system turn, every message or the
 *                        document), prefix-cache hits included
 * @param generatedTokens tokens sampled (generation, extraction) or scored (classification labels)
 * @param queued          from submission until the request joined the batch
 * @param prefill         from joining the batch until the prompt was processed
 * @param decode          from the end of the prompt until the result (token generation or label scoring)
 */
public record RunStats(int promptTokens, int generatedTokens, Duration queued, Duration prefill, Duration decode) {
}

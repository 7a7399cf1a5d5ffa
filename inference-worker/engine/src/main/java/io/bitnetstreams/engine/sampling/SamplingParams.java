package io.bitnetstreams.engine.sampling;

/**
 * How the next token is chosen from the logits. Validated on construction.
 *
 * @param temperature       0 = greedy (argmax, ties to the lowest id); otherwise finite and > 0
 * @param topK              keep only the k most likely tokens; 0 = off
 * @param topP              nucleus: keep the smallest set of most likely tokens whose probability
 *                          reaches topP; in (0, 1], 1 = off
 * @param minP              drop tokens whose probability is below minP times the most likely
 *                          token's; in [0, 1), 0 = off
 * @param repetitionPenalty llama.cpp repetition penalty on tokens among the last
 *                          {@code repetitionLastN} of the history; finite and > 0, 1 = off
 * @param repetitionLastN   how many recent history tokens the penalty looks at; >= 0, 0 = off
 * @param seed              seed of the random generator; the same seed and inputs give the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             int repetitionLastN, long seed) {

    public SamplingParams {
        if (!Float.isFinite(temperature) || temperature < 0f) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0f && minP < 1f)) {
            throw new IllegalArgumentException("minP must be in [0, 1), got " + minP);
        }
        if (!Float.isFinite(repetitionPenalty) || repetitionPenalty <= 0f) {
            throw new IllegalArgumentException(
                    "repetitionPenalty must be finite and > 0 (1 = off), got " + repetitionPenalty);
        }
        if (repetitionLastN < 0) {
            throw new IllegalArgumentException("repetitionLastN must be >= 0, got " + repetitionLastN);
        }
    }

    /** Deterministic argmax with no penalty. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0, 0L);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition penalty. */
    public static SamplingParams defaults(long seed) {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 64, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public boolean penalizesRepetition() {
        return repetitionPenalty != 1f && repetitionLastN > 0;
    }

    public SamplingParams withTemperature(float value) {
        return new SamplingParams(value, topK, topP, minP, repetitionPenalty, repetitionLastN, seed);
    }

    public SamplingParams withTopK(int value) {
        return new SamplingParams(temperature, value, topP, minP, repetitionPenalty, repetitionLastN, seed);
    }

    public SamplingParams withTopP(float value) {
        return new SamplingParams(temperature, topK, value, minP, repetitionPenalty, repetitionLastN, seed);
    }

    public SamplingParams withMinP(float value) {
        return new SamplingParams(temperature, topK, topP, value, repetitionPenalty, repetitionLastN, seed);
    }

    public SamplingParams withRepetitionPenalty(float penalty, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, penalty, lastN, seed);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, repetitionLastN, value);
    }
}

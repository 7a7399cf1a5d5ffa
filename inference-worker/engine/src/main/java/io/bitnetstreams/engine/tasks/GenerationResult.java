package io.bitnetstreams.engine.tasks;

/** Generated text (stop string excluded), its token ids, why generation ended and what the engine measured. */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason, RunStats stats) {

    public enum FinishReason { STOP, LENGTH, CANCELLED, DEADLINE }
}

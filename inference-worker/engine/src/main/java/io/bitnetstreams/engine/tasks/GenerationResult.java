package io.bitnetstreams.engine.tasks;

/** Generated text (stop string excluded), its token ids and why generation ended. */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason) {

    public enum FinishReason { STOP, LENGTH, CANCELLED, DEADLINE }
}

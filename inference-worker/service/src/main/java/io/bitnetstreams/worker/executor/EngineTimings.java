package io.bitnetstreams.worker.executor;

/**
 * Where the engine says the time of one work item went, in milliseconds (0 from executors without an engine).
 *
 * @param queuedMs  waiting inside the engine for a place in the batch
 * @param prefillMs processing the prompt
 * @param decodeMs  after the prompt: generating tokens or scoring labels
 */
public record EngineTimings(long queuedMs, long prefillMs, long decodeMs) {

    public static final EngineTimings NONE = new EngineTimings(0, 0, 0);
}

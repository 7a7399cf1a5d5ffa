/**
 * The engine API the pipeline calls: {@link io.bitnetstreams.engine.tasks.InferenceEngine} serves
 * classification, extraction and generation requests concurrently with continuous batching over
 * {@link io.bitnetstreams.engine.model.BatchedForward}, a bounded KV pool and queue
 * ({@link io.bitnetstreams.engine.tasks.EngineConfig}), a shared prompt-prefix cache
 * ({@link io.bitnetstreams.engine.tasks.PrefixCache}), deadlines and cancellation. Failures are
 * {@link io.bitnetstreams.engine.tasks.EngineException} with a
 * {@link io.bitnetstreams.engine.tasks.EngineException.Reason}.
 */
package io.bitnetstreams.engine.tasks;

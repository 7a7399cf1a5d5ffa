/**
 * Choosing the next token: {@link io.bitnetstreams.engine.sampling.SamplingParams} (validated
 * settings; temperature 0 = greedy) and {@link io.bitnetstreams.engine.sampling.Sampler}
 * (repetition penalty, top-k, temperature, softmax, top-p, min-p, seeded draw; one per sequence).
 */
package io.bitnetstreams.engine.sampling;

/**
 * Synthetic BitNet GGUF files with random ternary weights and the official metadata layout, for tests,
 * benchmarks and footprint measurements without the real 1.19 GB download.
 */
package io.bitnetstreams.engine.synth;

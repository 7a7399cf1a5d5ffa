/**
 * BitNet b1.58 on a memory-mapped GGUF: {@link io.bitnetstreams.engine.model.BitNetConfig} (validated
 * hyper-parameters), {@link io.bitnetstreams.engine.model.BitNetModel} (weights as views on the file,
 * batched prefill, forward for the last or all positions), {@link io.bitnetstreams.engine.model.KvCache},
 * {@link io.bitnetstreams.engine.model.Generator} and llama.cpp-compatible
 * {@link io.bitnetstreams.engine.model.Perplexity}.
 */
package io.bitnetstreams.engine.model;

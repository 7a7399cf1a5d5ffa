/**
 * BitNet b1.58 on a memory-mapped GGUF: {@link io.bitnetstreams.engine.model.BitNetConfig} (validated
 * hyper-parameters), {@link io.bitnetstreams.engine.model.BitNetModel} (batched prefill, forward for
 * the last or all positions), {@link io.bitnetstreams.engine.model.KvCache},
 * {@link io.bitnetstreams.engine.model.Generator} and llama.cpp-compatible
 * {@link io.bitnetstreams.engine.model.Perplexity}.
 *
 * <p>Speed: {@link io.bitnetstreams.engine.model.LoadOptions} chooses the LM head
 * ({@link io.bitnetstreams.engine.model.LmHeadKind}: exact F16 read in place, or a q8_0 copy) and a
 * repack cache directory. With the vector kernels the ternary matrices are repacked in parallel from
 * plain file reads (the I2_S pages of the mapping are never touched, so they never count in resident
 * memory) and cached per model file; later loads read the repacked words back in well under a second.
 */
package io.bitnetstreams.engine.model;

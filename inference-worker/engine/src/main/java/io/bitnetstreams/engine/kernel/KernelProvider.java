package io.bitnetstreams.engine.kernel;

/**
 * Prepares ternary matrices for one kernel strategy. {@link ScalarKernels} is the plain reference
 * every faster provider is tested against on random tensors.
 */
public interface KernelProvider {

    String name();

    TernaryMatmul prepare(TernaryWeights weights);
}

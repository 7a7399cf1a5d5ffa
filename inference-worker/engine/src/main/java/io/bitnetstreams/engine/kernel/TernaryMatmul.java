package io.bitnetstreams.engine.kernel;

/**
 * One ternary weight matrix prepared by a {@link KernelProvider} (possibly repacked), ready to
 * multiply quantized activations. Thread-safe: many callers may multiply at once.
 */
public interface TernaryMatmul {

    int rows();

    int cols();

    /**
     * {@code out[t * rows() + m] = (D[t][m] - S[t]) / s[t] * scale} for every token t of {@code x}
     * and row m, where {@code D[t][m] = sum_k code[m][k] * q[t][k]} is accumulated in int32.
     * Work is split over {@code pool}.
     */
    void multiply(QuantizedActivations x, float[] out, ComputePool pool);
}

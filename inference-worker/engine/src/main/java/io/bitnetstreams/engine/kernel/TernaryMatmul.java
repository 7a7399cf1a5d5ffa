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

    /** One clear error for activations of another width or an output too small for {@code matrix} (every provider). */
    static void checkShapes(TernaryMatmul matrix, QuantizedActivations x, float[] out) {
        if (x.cols() != matrix.cols()) {
            throw new IllegalArgumentException("activations have " + x.cols() + " columns, matrix has " + matrix.cols());
        }
        if (out.length < (long) x.tokens() * matrix.rows()) {
            throw new IllegalArgumentException("output holds " + out.length + " floats, needs "
                    + (long) x.tokens() * matrix.rows());
        }
    }

    /**
     * {@code matrices[i].multiply(x, outs[i], pool)} for every i, with the same results. Vector-kernel
     * matrices of one width and column count run as one pass over the pool, sharing the lookup tables
     * of {@code x} (Q/K/V, gate/up: fewer hand-offs between threads, tables built once); others run
     * one after the other.
     */
    static void multiplyAll(QuantizedActivations x, TernaryMatmul[] matrices, float[][] outs, ComputePool pool) {
        if (matrices.length != outs.length) {
            throw new IllegalArgumentException(matrices.length + " matrices but " + outs.length + " outputs");
        }
        if (VectorKernels.multiplyFused(x, matrices, outs, pool)) {
            return;
        }
        for (int i = 0; i < matrices.length; i++) {
            matrices[i].multiply(x, outs[i], pool);
        }
    }
}

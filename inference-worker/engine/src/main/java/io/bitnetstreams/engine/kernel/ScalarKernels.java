package io.bitnetstreams.engine.kernel;

/**
 * The plain reference: codes unpacked to one byte each, int32 dot products, no tricks. Every faster
 * kernel must give bit-identical results to this one.
 */
public final class ScalarKernels implements KernelProvider {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public TernaryMatmul prepare(TernaryWeights weights) {
        int rows = weights.rows();
        int cols = weights.cols();
        byte[] codes = new byte[Math.multiplyExact(rows, cols)];
        for (int m = 0; m < rows; m++) {
            weights.readCodes(m, codes, m * cols);
        }
        return new Prepared(rows, cols, weights.scale(), codes);
    }

    /** {@code sum_k code[k] * q[k]} in int32: the BitNet D term. */
    public static int dot(byte[] codes, int codeOffset, byte[] q, int qOffset, int length) {
        int acc = 0;
        for (int k = 0; k < length; k++) {
            acc += codes[codeOffset + k] * q[qOffset + k];
        }
        return acc;
    }

    private record Prepared(int rows, int cols, float scale, byte[] codes) implements TernaryMatmul {
        @Override
        public void multiply(QuantizedActivations x, float[] out, ComputePool pool) {
            TernaryMatmul.checkShapes(this, x, out);
            byte[] q = x.values();
            int tokens = x.tokens();
            pool.parallelFor(0, rows, (from, to) -> {
                for (int t = 0; t < tokens; t++) {
                    float s = x.scale(t);
                    int sum = x.sum(t);
                    for (int m = from; m < to; m++) {
                        int d = dot(codes, m * cols, q, t * cols, cols);
                        out[t * rows + m] = (d - sum) / s * scale;
                    }
                }
            });
        }
    }
}

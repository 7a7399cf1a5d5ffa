package io.bitnetstreams.engine.kernel;

/**
 * Scalar kernels that read the weights where they lie (usually the memory-mapped model file) through
 * {@link TernaryWeights#dotCodes}: no repacking, no copy, so loading is instant and memory stays at
 * the file size. Exact, but slow; the vector providers are the fast path.
 */
public final class InPlaceKernels implements KernelProvider {

    @Override
    public String name() {
        return "in-place-scalar";
    }

    @Override
    public TernaryMatmul prepare(TernaryWeights weights) {
        return new Prepared(weights);
    }

    private record Prepared(TernaryWeights weights) implements TernaryMatmul {
        @Override
        public int rows() {
            return weights.rows();
        }

        @Override
        public int cols() {
            return weights.cols();
        }

        @Override
        public void multiply(QuantizedActivations x, float[] out, ComputePool pool) {
            TernaryMatmul.checkShapes(this, x, out);
            int rows = weights.rows();
            int cols = weights.cols();
            float scale = weights.scale();
            byte[] q = x.values();
            int tokens = x.tokens();
            pool.parallelFor(0, rows, (from, to) -> {
                for (int m = from; m < to; m++) {
                    for (int t = 0; t < tokens; t++) {
                        int d = weights.dotCodes(m, q, t * cols);
                        out[t * rows + m] = (d - x.sum(t)) / x.scale(t) * scale;
                    }
                }
            });
        }
    }
}

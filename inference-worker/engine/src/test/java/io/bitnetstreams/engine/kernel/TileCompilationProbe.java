package io.bitnetstreams.engine.kernel;

/**
 * Runs every tile of the given vector widths (multi-token 2x4, and the 4x1 / 2x1 single-token tiles) often
 * enough that the JIT compiles them at every tier: the forked JVM of {@link TileCompilationTest}.
 * Arguments: the widths in bits (e.g. {@code 256 128}).
 */
public final class TileCompilationProbe {

    /** An odd number of row-group pairs at both widths (3 at 256 bits, 5 at 128), so tile4x1 and tile2x1 both run. */
    private static final int ROWS = 80;
    private static final int COLS = 300;
    /** 4 tokens for the 2x4 tile, then one left over for the single-token tiles. */
    private static final int TOKENS = 5;
    /** Calls per width: with the test's compile thresholds and -Xbatch, several times what tier 4 needs. */
    private static final int CALLS = 800;

    private TileCompilationProbe() {
    }

    public static void main(String[] args) {
        java.util.Random random = new java.util.Random(5);
        float[] x = new float[TOKENS * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        QuantizedActivations q = new QuantizedActivations(TOKENS, COLS).quantize(x, 0, TOKENS);
        try (ComputePool pool = ComputePool.singleThreaded()) {
            for (String arg : args) {
                int bits = Integer.parseInt(arg);
                TernaryMatmul matmul = Kernels.forVectorBits(bits).prepare(ArrayTernaryWeights.random(ROWS, COLS, bits));
                float[] out = new float[TOKENS * ROWS];
                for (int call = 0; call < CALLS; call++) {
                    matmul.multiply(q, out, pool);
                }
            }
        }
    }
}

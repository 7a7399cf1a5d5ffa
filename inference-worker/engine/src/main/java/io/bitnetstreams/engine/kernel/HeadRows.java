package io.bitnetstreams.engine.kernel;

/**
 * The rows of an LM head matrix in one storage format with the vector kernels that read it: each
 * format converts its values to f32 in registers inside the tiles (the row data streams from memory
 * while the FMAs run), one small class per format driven the same way by {@link TiledHead}.
 *
 * <p>One arithmetic per (row, token), whatever tile computes it: a single vector accumulator
 * {@code acc = w.fma(x, acc)} filled in one fixed k order, the lane sum {@link FloatLanes#sum},
 * then the scalar tail in k order. So a logit has the same bits whether its token is computed alone
 * or in a batch, in any position, and whether its row is reached by {@code logits} or
 * {@code logitsForRows}. Tiles are 4 rows x 4 tokens (16 accumulators; C2 spills above about 24
 * live 512-bit values; 2 rows x 8 tokens measured slower), 4 rows x 1 token for the tokens left over, and single
 * dot products for the rows left over. The conversion is written out in every kernel: C2 does not
 * inline a helper into kernels this large, and a vector crossing a call is boxed. For the same reason
 * the tiles store their accumulators in a caller's scratch ({@link #newLanes}) and sum them with
 * {@link FloatLanes#sum(float[], int)} (measured: passing the vectors boxed ~0.5 GB/s of garbage).
 */
abstract sealed class HeadRows permits F16HeadRows, Q8HeadRows, Q4HeadRows {

    /** Rows per tile. */
    static final int ROW_TILE = 4;
    /** Tokens per full tile. */
    static final int TOKEN_TILE = 4;

    final int vocab;
    final int dim;

    HeadRows(int vocab, int dim) {
        this.vocab = vocab;
        this.dim = dim;
    }

    /** The input in the layout the kernels read (tokens x dim values; default: as given). */
    float[] prepareInput(float[] x, int tokens) {
        return x;
    }

    /**
     * {@code out[outIndex + t * outStride + i] = row(r_i) . x[t]} for the four rows {@code r0..r3} and
     * every token {@code t < tokens}.
     */
    final void multiplyFour(int r0, int r1, int r2, int r3, float[] x, int tokens, float[] out, int outIndex,
                            int outStride, float[] lanes) {
        if (!tilesApply(r0, r1, r2, r3)) {
            for (int t = 0; t < tokens; t++) {
                out[outIndex + t * outStride] = dot(r0, x, t * dim);
                out[outIndex + t * outStride + 1] = dot(r1, x, t * dim);
                out[outIndex + t * outStride + 2] = dot(r2, x, t * dim);
                out[outIndex + t * outStride + 3] = dot(r3, x, t * dim);
            }
            return;
        }
        int t = 0;
        for (; t + TOKEN_TILE <= tokens; t += TOKEN_TILE) {
            tile4x4(r0, r1, r2, r3, x, t * dim, out, outIndex + t * outStride, outStride, lanes);
        }
        for (; t < tokens; t++) {
            tile4x1(r0, r1, r2, r3, x, t * dim, out, outIndex + t * outStride, lanes);
        }
    }

    /** Whether the tiles may compute these rows (else {@link #dot} does, with the same bits where both apply). */
    boolean tilesApply(int r0, int r1, int r2, int r3) {
        return true;
    }

    /** Four rows times four tokens (x rows from {@code xo}): out[outIndex + t * outStride + i]. */
    abstract void tile4x4(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, int outStride,
                          float[] lanes);

    /** Four rows times one token: out[outIndex + i]. */
    abstract void tile4x1(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, float[] lanes);

    /** Scratch for one tile's accumulators (one per thread or chunk; the tiles overwrite it). */
    static float[] newLanes() {
        return new float[ROW_TILE * TOKEN_TILE * FloatLanes.LANES];
    }

    /** One row times one token: the order every tile reproduces. */
    abstract float dot(int row, float[] x, int xo);
}

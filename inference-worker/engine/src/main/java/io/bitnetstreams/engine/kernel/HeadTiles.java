package io.bitnetstreams.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The f32 micro-kernels every LM head shares: {@code rowCount} rows already widened to f32 (row r
 * at {@code w[r * dim]}) times {@code tokens} input rows.
 *
 * <p>One arithmetic per (row, token), whatever tile computes it: a single vector accumulator
 * {@code acc = w[k..].fma(x[k..], acc)} filled in k order over the first {@link #vectorDim} values,
 * the lane sum {@link #sumLanes} in one fixed tree, then {@code sum += w[d] * x[d]} for the tail.
 * So a logit has the same bits whether its token is computed alone or in a batch, in any position,
 * and whether its row is reached by {@code logits} or {@code logitsForRows}.
 *
 * <p>The main tile is 4 rows x 4 tokens: 16 accumulators, 4 row vectors and one input vector stay
 * in registers (C2 spills above about 24 live 512-bit values), 8 loads per 16 FMAs.
 */
final class HeadTiles {

    /** Rows per widened block (and per tile). */
    static final int ROW_TILE = 4;
    /** Tokens per full tile. */
    static final int TOKEN_TILE = 4;

    static final VectorSpecies<Float> F = Kernels.maxVectorBits() >= 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final int LANES = F.length();

    /** Lane rotations for {@link #sumLanes}. */
    private static final VectorShuffle<Float> ROTATE_8 = VectorShuffle.iota(F, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> ROTATE_2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> ROTATE_1 = VectorShuffle.iota(F, 1, 1, true);

    private HeadTiles() {
    }

    /** The part of a row the vector loop covers; the rest is the scalar tail. */
    static int vectorDim(int dim) {
        return dim - dim % LANES;
    }

    /**
     * {@code out[outIndex + t * outStride + r] = w[r] . x[t]} for rows {@code r < rowCount} and tokens
     * {@code t < tokens}: consecutive rows go to consecutive output columns.
     */
    static void multiply(float[] w, int rowCount, int dim, float[] x, int tokens, float[] out, int outIndex,
                         int outStride) {
        int vectorDim = vectorDim(dim);
        if (rowCount == ROW_TILE) {
            int t = 0;
            for (; t + TOKEN_TILE <= tokens; t += TOKEN_TILE) {
                tile4x4(w, dim, vectorDim, x, t * dim, out, outIndex + t * outStride, outStride);
            }
            for (; t < tokens; t++) {
                tile4x1(w, dim, vectorDim, x, t * dim, out, outIndex + t * outStride);
            }
        } else {
            for (int r = 0; r < rowCount; r++) {
                for (int t = 0; t < tokens; t++) {
                    out[outIndex + t * outStride + r] = dot(w, r * dim, x, t * dim, vectorDim, dim);
                }
            }
        }
    }

    /** One row times one token: the reference order every tile reproduces. */
    static float dot(float[] w, int wo, float[] x, int xo, int vectorDim, int dim) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < vectorDim; k += LANES) {
            acc = FloatVector.fromArray(F, w, wo + k).fma(FloatVector.fromArray(F, x, xo + k), acc);
        }
        return tail(sumLanes(acc), w, wo, x, xo, vectorDim, dim);
    }

    private static void tile4x1(float[] w, int dim, int vectorDim, float[] x, int xo, float[] out, int outIndex) {
        int w1 = dim;
        int w2 = 2 * dim;
        int w3 = 3 * dim;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int k = 0; k < vectorDim; k += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xo + k);
            a0 = FloatVector.fromArray(F, w, k).fma(v, a0);
            a1 = FloatVector.fromArray(F, w, w1 + k).fma(v, a1);
            a2 = FloatVector.fromArray(F, w, w2 + k).fma(v, a2);
            a3 = FloatVector.fromArray(F, w, w3 + k).fma(v, a3);
        }
        out[outIndex] = tail(sumLanes(a0), w, 0, x, xo, vectorDim, dim);
        out[outIndex + 1] = tail(sumLanes(a1), w, w1, x, xo, vectorDim, dim);
        out[outIndex + 2] = tail(sumLanes(a2), w, w2, x, xo, vectorDim, dim);
        out[outIndex + 3] = tail(sumLanes(a3), w, w3, x, xo, vectorDim, dim);
    }

    private static void tile4x4(float[] w, int dim, int vectorDim, float[] x, int xo, float[] out, int outIndex,
                                int outStride) {
        int w1 = dim;
        int w2 = 2 * dim;
        int w3 = 3 * dim;
        int x1 = xo + dim;
        int x2 = xo + 2 * dim;
        int x3 = xo + 3 * dim;
        // aRT: row R, token T.
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        for (int k = 0; k < vectorDim; k += LANES) {
            FloatVector r0 = FloatVector.fromArray(F, w, k);
            FloatVector r1 = FloatVector.fromArray(F, w, w1 + k);
            FloatVector r2 = FloatVector.fromArray(F, w, w2 + k);
            FloatVector r3 = FloatVector.fromArray(F, w, w3 + k);
            FloatVector v = FloatVector.fromArray(F, x, xo + k);
            a00 = r0.fma(v, a00);
            a10 = r1.fma(v, a10);
            a20 = r2.fma(v, a20);
            a30 = r3.fma(v, a30);
            v = FloatVector.fromArray(F, x, x1 + k);
            a01 = r0.fma(v, a01);
            a11 = r1.fma(v, a11);
            a21 = r2.fma(v, a21);
            a31 = r3.fma(v, a31);
            v = FloatVector.fromArray(F, x, x2 + k);
            a02 = r0.fma(v, a02);
            a12 = r1.fma(v, a12);
            a22 = r2.fma(v, a22);
            a32 = r3.fma(v, a32);
            v = FloatVector.fromArray(F, x, x3 + k);
            a03 = r0.fma(v, a03);
            a13 = r1.fma(v, a13);
            a23 = r2.fma(v, a23);
            a33 = r3.fma(v, a33);
        }
        int o1 = outIndex + outStride;
        int o2 = outIndex + 2 * outStride;
        int o3 = outIndex + 3 * outStride;
        out[outIndex] = tail(sumLanes(a00), w, 0, x, xo, vectorDim, dim);
        out[outIndex + 1] = tail(sumLanes(a10), w, w1, x, xo, vectorDim, dim);
        out[outIndex + 2] = tail(sumLanes(a20), w, w2, x, xo, vectorDim, dim);
        out[outIndex + 3] = tail(sumLanes(a30), w, w3, x, xo, vectorDim, dim);
        out[o1] = tail(sumLanes(a01), w, 0, x, x1, vectorDim, dim);
        out[o1 + 1] = tail(sumLanes(a11), w, w1, x, x1, vectorDim, dim);
        out[o1 + 2] = tail(sumLanes(a21), w, w2, x, x1, vectorDim, dim);
        out[o1 + 3] = tail(sumLanes(a31), w, w3, x, x1, vectorDim, dim);
        out[o2] = tail(sumLanes(a02), w, 0, x, x2, vectorDim, dim);
        out[o2 + 1] = tail(sumLanes(a12), w, w1, x, x2, vectorDim, dim);
        out[o2 + 2] = tail(sumLanes(a22), w, w2, x, x2, vectorDim, dim);
        out[o2 + 3] = tail(sumLanes(a32), w, w3, x, x2, vectorDim, dim);
        out[o3] = tail(sumLanes(a03), w, 0, x, x3, vectorDim, dim);
        out[o3 + 1] = tail(sumLanes(a13), w, w1, x, x3, vectorDim, dim);
        out[o3 + 2] = tail(sumLanes(a23), w, w2, x, x3, vectorDim, dim);
        out[o3 + 3] = tail(sumLanes(a33), w, w3, x, x3, vectorDim, dim);
    }

    /** The values past the vector loop, added one by one in k order (Java never fuses {@code a * b + c}). */
    private static float tail(float sum, float[] w, int wo, float[] x, int xo, int vectorDim, int dim) {
        for (int d = vectorDim; d < dim; d++) {
            sum += w[wo + d] * x[xo + d];
        }
        return sum;
    }

    /**
     * The lane sum in one fixed tree order. {@code reduceLanes(ADD)} may add float lanes in any
     * order, and interpreted and compiled code do differ, so the same logit could change between
     * calls; lane-wise adds of rotations are exact IEEE operations in every tier.
     */
    static float sumLanes(FloatVector v) {
        FloatVector s = v;
        if (LANES == 16) {
            s = s.add(s.rearrange(ROTATE_8));
        }
        s = s.add(s.rearrange(ROTATE_4));
        s = s.add(s.rearrange(ROTATE_2));
        s = s.add(s.rearrange(ROTATE_1));
        return s.lane(0);
    }
}

package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.FloatLanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention of one query head over keys and values that may lie in several caches one after
 * the other (a shared prefix, then the sequence's own cache). Shared by {@link BitNetModel} and
 * {@link BatchedForward}, so a sequence gets the same bits alone and in a batch.
 *
 * <p>Rounded as the reference runtime (llama.cpp's CPU backend on an AVX-512 build, F16 KV cache,
 * no flash attention) rounds, so that logits agree with it to a few ulps instead of drifting apart on
 * chaotic weights:
 * <ul>
 * <li>keys and values are F16 values (the cache stores them rounded, {@link LayerSteps});</li>
 * <li>Q·K: Q rounded to F16, then ggml's {@code vec_dot_f16} order (four 16-lane FMA accumulators over
 *     steps of 64, folded 0+2 and 1+3, then those two, then the 16-lane tree; a tail in double);</li>
 * <li>softmax: {@link ReferenceSoftmax};</li>
 * <li>P·V of a step with several tokens of the sequence: tinyBLAS's order (per output element 16 FMA
 *     chains over positions {@code j mod 16}, then the 16-lane tree); of a one-token step (decode),
 *     where llama.cpp skips tinyBLAS: the probabilities rounded to F16 and {@code vec_dot_f16} over the
 *     KV window padded to 32. So a decode step's attention differs in its last bits from the same
 *     position computed inside a prompt batch, exactly as in the reference.</li>
 * </ul>
 * The 16-lane orders use one 512-bit vector when the CPU has them and a scalar emulation otherwise
 * (same bits, slower).
 */
final class Attention {

    private static final VectorSpecies<Float> F = FloatLanes.SPECIES;
    private static final int LANES = FloatLanes.LANES;
    /** The reference's vector width, in floats; its summation orders are defined on it. */
    static final int W = 16;
    private static final boolean NATIVE_W = LANES == W;
    /** Pieces of (row, head) tasks per thread, claimed dynamically (causal rows differ in work). */
    static final int CHUNKS_PER_THREAD = 8;

    private Attention() {
    }

    /**
     * Where the keys and values of one layer lie: part {@code p} holds positions
     * {@code start(p) .. start(p) + lengths[p]} with rows of {@code kvDim} floats.
     */
    record Parts(float[][] keys, float[][] values, int[] lengths) {

        static Parts single(float[] keys, float[] values, int length) {
            return new Parts(new float[][] {keys}, new float[][] {values}, new int[] {length});
        }
    }

    /** Per-thread buffers of {@link #head}. */
    static final class Scratch {
        final float[] scores;
        final float[] query;
        final float[] acc;
        final double[] tail;

        Scratch(int maxVisible, int headDim) {
            scores = new float[maxVisible];
            query = new float[headDim];
            acc = new float[4 * W * headDim];
            tail = new double[headDim];
        }
    }

    /**
     * Attention output of query {@code q[qOff .. qOff + headDim)} over the first {@code visible}
     * positions of {@code parts} (columns {@code kvOff ..} of each row), written to {@code out[qOff ..]}.
     *
     * @param singleToken whether the step holds one token of this sequence (decode): selects the Q·K
     *                    rounding of the reference (see the class comment)
     */
    static void head(float[] q, int qOff, Parts parts, int visible, int kvDim, int kvOff, int headDim, float scale,
                     boolean singleToken, Scratch s, float[] out) {
        float[] query = s.query;
        for (int d = 0; d < headDim; d++) {
            query[d] = Float.float16ToFloat(Float.floatToFloat16(q[qOff + d]));
        }
        float[] scores = s.scores;
        int j = 0;
        for (int p = 0; p < parts.lengths.length && j < visible; p++) {
            int end = Math.min(visible - j, parts.lengths[p]);
            float[] keys = parts.keys[p];
            for (int local = 0; local < end; local++, j++) {
                int k = local * kvDim + kvOff;
                scores[j] = f16Dot(query, keys, k, headDim) * scale;
            }
        }
        ModelMath.softmax(scores, visible);
        if (singleToken) {
            decodeWeightedValues(parts, visible, kvDim, kvOff, headDim, scores, s, out, qOff);
        } else {
            weightedValues(parts, visible, kvDim, kvOff, headDim, scores, s.acc, out, qOff);
        }
    }

    /**
     * ggml's {@code vec_dot_f16}: four 16-lane accumulators over steps of 64 (accumulator i takes
     * elements {@code 64s + 16i ..}), folded 0+2 and 1+3, then those two, then the 16-lane tree; the
     * elements past the last full step are added in double.
     */
    static float f16Dot(float[] q, float[] keys, int k, int n) {
        int full = n - n % (4 * W);
        float sum;
        if (NATIVE_W) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int d = 0; d < full; d += 4 * W) {
                s0 = FloatVector.fromArray(F, keys, k + d).fma(FloatVector.fromArray(F, q, d), s0);
                s1 = FloatVector.fromArray(F, keys, k + d + W).fma(FloatVector.fromArray(F, q, d + W), s1);
                s2 = FloatVector.fromArray(F, keys, k + d + 2 * W).fma(FloatVector.fromArray(F, q, d + 2 * W), s2);
                s3 = FloatVector.fromArray(F, keys, k + d + 3 * W).fma(FloatVector.fromArray(F, q, d + 3 * W), s3);
            }
            sum = FloatLanes.sum(s0.add(s2).add(s1.add(s3)));
        } else {
            float[][] acc = new float[4][W];
            for (int d = 0; d < full; d += 4 * W) {
                for (int a = 0; a < 4; a++) {
                    for (int l = 0; l < W; l++) {
                        int e = d + a * W + l;
                        acc[a][l] = Math.fma(keys[k + e], q[e], acc[a][l]);
                    }
                }
            }
            float[] folded = new float[W];
            for (int l = 0; l < W; l++) {
                folded[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
            }
            sum = ReferenceSoftmax.lanes16Sum(folded);
        }
        if (full == n) {
            return sum;
        }
        double total = sum;
        for (int e = full; e < n; e++) {
            total += keys[k + e] * q[e];
        }
        return (float) total;
    }

    /**
     * {@code out = sum_j p_j v_j} in tinyBLAS's order: 16 accumulator rows, position j adding into row
     * {@code j mod 16} (a fused multiply-add per element), then the rows folded 8, 4, 2, 1 apart.
     * Vectorized over the head dimension, where every lane follows the same order.
     */
    private static void weightedValues(Parts parts, int visible, int kvDim, int kvOff, int headDim, float[] p,
                                       float[] acc, float[] out, int outOff) {
        java.util.Arrays.fill(acc, 0, W * headDim, 0f);
        int vectorEnd = headDim - headDim % LANES;
        int j = 0;
        for (int part = 0; part < parts.lengths.length && j < visible; part++) {
            float[] v = parts.values[part];
            int end = Math.min(visible - j, parts.lengths[part]);
            for (int local = 0; local < end; local++, j++) {
                int row = (j & (W - 1)) * headDim;
                int k = local * kvDim + kvOff;
                float pj = p[j];
                FloatVector pv = FloatVector.broadcast(F, pj);
                int d = 0;
                for (; d < vectorEnd; d += LANES) {
                    FloatVector.fromArray(F, v, k + d).fma(pv, FloatVector.fromArray(F, acc, row + d))
                            .intoArray(acc, row + d);
                }
                for (; d < headDim; d++) {
                    acc[row + d] = Math.fma(v[k + d], pj, acc[row + d]);
                }
            }
        }
        for (int width = W / 2; width >= 1; width /= 2) {
            for (int r = 0; r < width; r++) {
                int a = r * headDim;
                int b = (r + width) * headDim;
                int d = 0;
                for (; d < vectorEnd; d += LANES) {
                    FloatVector.fromArray(F, acc, a + d).add(FloatVector.fromArray(F, acc, b + d)).intoArray(acc, a + d);
                }
                for (; d < headDim; d++) {
                    acc[a + d] += acc[b + d];
                }
            }
        }
        System.arraycopy(acc, 0, out, outOff, headDim);
    }

    /**
     * The value pass of a one-token step, as the reference computes it there (its tinyBLAS path
     * serves only steps of two or more tokens): the probabilities rounded to F16, then per output
     * element ggml's {@code vec_dot_f16} over the cache length padded to 32 (llama.cpp's KV window):
     * 64 accumulator rows (position {@code j mod 64} for {@code j} below the last multiple of 64), rows
     * {@code r}, {@code r+32}, {@code r+16}, {@code r+48} folded as {@code (r + r+32) + (r+16 + r+48)},
     * the 16-lane tree, then the remaining positions added one by one in double.
     */
    private static void decodeWeightedValues(Parts parts, int visible, int kvDim, int kvOff, int headDim, float[] p,
                                             Scratch s, float[] out, int outOff) {
        float[] acc = s.acc;
        double[] tail = s.tail;
        int padded = (visible + 31) / 32 * 32;
        int blocked = padded - padded % (4 * W);
        java.util.Arrays.fill(acc, 0, 4 * W * headDim, 0f);
        int vectorEnd = headDim - headDim % LANES;
        int j = 0;
        for (int part = 0; part < parts.lengths.length && j < visible; part++) {
            float[] v = parts.values[part];
            int end = Math.min(visible - j, parts.lengths[part]);
            for (int local = 0; local < end; local++, j++) {
                int k = local * kvDim + kvOff;
                float pj = Float.float16ToFloat(Float.floatToFloat16(p[j]));
                if (j >= blocked) {
                    continue;
                }
                int row = (j & (4 * W - 1)) * headDim;
                FloatVector pv = FloatVector.broadcast(F, pj);
                int d = 0;
                for (; d < vectorEnd; d += LANES) {
                    FloatVector.fromArray(F, v, k + d).fma(pv, FloatVector.fromArray(F, acc, row + d))
                            .intoArray(acc, row + d);
                }
                for (; d < headDim; d++) {
                    acc[row + d] = Math.fma(v[k + d], pj, acc[row + d]);
                }
            }
        }
        // rows l, l+16, l+32, l+48 are lane l of accumulators 0..3: fold 0+2 and 1+3, then those two
        for (int l = 0; l < W; l++) {
            int a0 = l * headDim;
            int a1 = (l + W) * headDim;
            int a2 = (l + 2 * W) * headDim;
            int a3 = (l + 3 * W) * headDim;
            for (int d = 0; d < headDim; d++) {
                acc[a0 + d] = (acc[a0 + d] + acc[a2 + d]) + (acc[a1 + d] + acc[a3 + d]);
            }
        }
        for (int width = W / 2; width >= 1; width /= 2) {
            for (int r = 0; r < width; r++) {
                int a = r * headDim;
                int b = (r + width) * headDim;
                for (int d = 0; d < headDim; d++) {
                    acc[a + d] += acc[b + d];
                }
            }
        }
        if (blocked >= visible) {
            System.arraycopy(acc, 0, out, outOff, headDim);
            return;
        }
        for (int d = 0; d < headDim; d++) {
            tail[d] = acc[d];
        }
        j = 0;
        for (int part = 0; part < parts.lengths.length && j < visible; part++) {
            float[] v = parts.values[part];
            int end = Math.min(visible - j, parts.lengths[part]);
            for (int local = 0; local < end; local++, j++) {
                if (j < blocked) {
                    continue;
                }
                int k = local * kvDim + kvOff;
                float pj = Float.float16ToFloat(Float.floatToFloat16(p[j]));
                for (int d = 0; d < headDim; d++) {
                    tail[d] += v[k + d] * pj;
                }
            }
        }
        for (int d = 0; d < headDim; d++) {
            out[outOff + d] = (float) tail[d];
        }
    }
}

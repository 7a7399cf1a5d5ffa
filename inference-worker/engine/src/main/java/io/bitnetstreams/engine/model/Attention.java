package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.FloatLanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention of one query head over keys and values that may lie in several caches one after
 * the other (a shared prefix, then the sequence's own cache). Shared by {@link BitNetModel} and
 * {@link BatchedForward}, so a sequence gets the same bits alone and in a batch.
 *
 * <p>Vectorized over the head dimension: the scalar loops this replaces ran one dependent add per
 * element (a latency chain of {@code headDim} adds per key) and took ~6% of a batched decode step at
 * short contexts, more at long ones. Sums use a fixed lane order so interpreted and compiled code
 * agree ({@link FloatLanes#sum}).
 */
final class Attention {

    private static final VectorSpecies<Float> F = FloatLanes.SPECIES;
    private static final int LANES = FloatLanes.LANES;
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

    /**
     * Attention output of query {@code q[qOff .. qOff + headDim)} over the first {@code visible}
     * positions of {@code parts} (columns {@code kvOff ..} of each row), written to {@code out[qOff ..]}.
     *
     * @param scores scratch of at least {@code visible} floats
     */
    static void head(float[] q, int qOff, Parts parts, int visible, int kvDim, int kvOff, int headDim, float scale,
                     float[] scores, float[] out) {
        int j = 0;
        for (int p = 0; p < parts.lengths.length && j < visible; p++) {
            float[] keys = parts.keys[p];
            int end = Math.min(visible - j, parts.lengths[p]);
            for (int local = 0; local < end; local++, j++) {
                scores[j] = dot(q, qOff, keys, local * kvDim + kvOff, headDim) * scale;
            }
        }
        ModelMath.softmax(scores, visible);
        java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
        j = 0;
        for (int p = 0; p < parts.lengths.length && j < visible; p++) {
            float[] values = parts.values[p];
            int end = Math.min(visible - j, parts.lengths[p]);
            for (int local = 0; local < end; local++, j++) {
                addScaled(out, qOff, scores[j], values, local * kvDim + kvOff, headDim);
            }
        }
    }

    /**
     * {@code sum a[i] * b[i]}: two vector accumulators (alternating chunks, to halve the FMA latency
     * chain), their sum, a fixed rotation tree over the lanes, then the scalar tail.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int d = 0;
        for (; d + 2 * LANES <= n; d += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + d).fma(FloatVector.fromArray(F, b, bOff + d), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + d + LANES).fma(FloatVector.fromArray(F, b, bOff + d + LANES), acc1);
        }
        for (; d + LANES <= n; d += LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + d).fma(FloatVector.fromArray(F, b, bOff + d), acc0);
        }
        float sum = FloatLanes.sum(acc0.add(acc1));
        for (; d < n; d++) {
            sum += a[aOff + d] * b[bOff + d];
        }
        return sum;
    }

    /** {@code out[i] += p * v[i]} (one rounding per element: fused multiply-add). */
    static void addScaled(float[] out, int outOff, float p, float[] v, int vOff, int n) {
        FloatVector pv = FloatVector.broadcast(F, p);
        int d = 0;
        for (; d + LANES <= n; d += LANES) {
            FloatVector.fromArray(F, v, vOff + d).fma(pv, FloatVector.fromArray(F, out, outOff + d))
                    .intoArray(out, outOff + d);
        }
        for (; d < n; d++) {
            out[outOff + d] = Math.fma(p, v[vOff + d], out[outOff + d]);
        }
    }
}

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
        boolean eightChunks = headDim == 8 * LANES;
        int j = 0;
        for (int p = 0; p < parts.lengths.length && j < visible; p++) {
            int end = Math.min(visible - j, parts.lengths[p]);
            if (eightChunks) {
                scoresOfEightChunks(q, qOff, parts.keys[p], kvDim, kvOff, end, scale, scores, j);
                j += end;
            } else {
                for (int local = 0; local < end; local++, j++) {
                    scores[j] = dot(q, qOff, parts.keys[p], local * kvDim + kvOff, headDim) * scale;
                }
            }
        }
        ModelMath.softmax(scores, visible);
        if (eightChunks) {
            valuesOfEightChunks(parts, visible, kvDim, kvOff, scores, out, qOff);
            return;
        }
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
     * {@link #dot} times {@code scale} for {@code count} keys of one cache part when the head is
     * exactly 8 vectors (128 at 512 bits): the query stays in registers and the adds are the same, in
     * the same order, so the scores have the same bits. The lane sums go through an array: a vector
     * passed to a method that is not inlined is boxed.
     */
    private static void scoresOfEightChunks(float[] q, int qOff, float[] keys, int kvDim, int kvOff, int count,
                                            float scale, float[] scores, int first) {
        FloatVector q0 = FloatVector.fromArray(F, q, qOff);
        FloatVector q1 = FloatVector.fromArray(F, q, qOff + LANES);
        FloatVector q2 = FloatVector.fromArray(F, q, qOff + 2 * LANES);
        FloatVector q3 = FloatVector.fromArray(F, q, qOff + 3 * LANES);
        FloatVector q4 = FloatVector.fromArray(F, q, qOff + 4 * LANES);
        FloatVector q5 = FloatVector.fromArray(F, q, qOff + 5 * LANES);
        FloatVector q6 = FloatVector.fromArray(F, q, qOff + 6 * LANES);
        FloatVector q7 = FloatVector.fromArray(F, q, qOff + 7 * LANES);
        FloatVector zero = FloatVector.zero(F);
        float[] lanes = new float[LANES];
        for (int local = 0; local < count; local++) {
            int k = local * kvDim + kvOff;
            FloatVector acc0 = q0.fma(FloatVector.fromArray(F, keys, k), zero);
            FloatVector acc1 = q1.fma(FloatVector.fromArray(F, keys, k + LANES), zero);
            acc0 = q2.fma(FloatVector.fromArray(F, keys, k + 2 * LANES), acc0);
            acc1 = q3.fma(FloatVector.fromArray(F, keys, k + 3 * LANES), acc1);
            acc0 = q4.fma(FloatVector.fromArray(F, keys, k + 4 * LANES), acc0);
            acc1 = q5.fma(FloatVector.fromArray(F, keys, k + 5 * LANES), acc1);
            acc0 = q6.fma(FloatVector.fromArray(F, keys, k + 6 * LANES), acc0);
            acc1 = q7.fma(FloatVector.fromArray(F, keys, k + 7 * LANES), acc1);
            acc0.add(acc1).intoArray(lanes, 0);
            scores[first + local] = FloatLanes.sum(lanes, 0) * scale;
        }
    }

    /** The value pass of {@link #head} for 8-vector heads: the output row stays in registers across keys. */
    private static void valuesOfEightChunks(Parts parts, int visible, int kvDim, int kvOff, float[] scores, float[] out,
                                            int outOff) {
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = FloatVector.zero(F);
        FloatVector o2 = FloatVector.zero(F);
        FloatVector o3 = FloatVector.zero(F);
        FloatVector o4 = FloatVector.zero(F);
        FloatVector o5 = FloatVector.zero(F);
        FloatVector o6 = FloatVector.zero(F);
        FloatVector o7 = FloatVector.zero(F);
        int j = 0;
        for (int p = 0; p < parts.lengths.length && j < visible; p++) {
            float[] v = parts.values[p];
            int end = Math.min(visible - j, parts.lengths[p]);
            for (int local = 0; local < end; local++, j++) {
                FloatVector pv = FloatVector.broadcast(F, scores[j]);
                int k = local * kvDim + kvOff;
                o0 = FloatVector.fromArray(F, v, k).fma(pv, o0);
                o1 = FloatVector.fromArray(F, v, k + LANES).fma(pv, o1);
                o2 = FloatVector.fromArray(F, v, k + 2 * LANES).fma(pv, o2);
                o3 = FloatVector.fromArray(F, v, k + 3 * LANES).fma(pv, o3);
                o4 = FloatVector.fromArray(F, v, k + 4 * LANES).fma(pv, o4);
                o5 = FloatVector.fromArray(F, v, k + 5 * LANES).fma(pv, o5);
                o6 = FloatVector.fromArray(F, v, k + 6 * LANES).fma(pv, o6);
                o7 = FloatVector.fromArray(F, v, k + 7 * LANES).fma(pv, o7);
            }
        }
        o0.intoArray(out, outOff);
        o1.intoArray(out, outOff + LANES);
        o2.intoArray(out, outOff + 2 * LANES);
        o3.intoArray(out, outOff + 3 * LANES);
        o4.intoArray(out, outOff + 4 * LANES);
        o5.intoArray(out, outOff + 5 * LANES);
        o6.intoArray(out, outOff + 6 * LANES);
        o7.intoArray(out, outOff + 7 * LANES);
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

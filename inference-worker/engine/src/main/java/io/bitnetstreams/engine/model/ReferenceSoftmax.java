package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.FloatLanes;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax of the reference runtime's attention (ggml's {@code soft_max} on an AVX-512 build):
 * {@code e = ggml_v_expf(x - max)} on blocks of 16 values (the row is padded with masked positions,
 * whose exp is exactly 0, to a multiple of 16), each block's 16 values summed by the AVX-512 lane tree
 * (halves: 8, 4, 2, 1) and the block sums accumulated in double; then every value is multiplied by
 * {@code (float) (1 / sum)}.
 *
 * <p>{@code ggml_v_expf} is Arm's polynomial exp: {@code n = round(x / ln 2)}, a two-constant
 * reduction, a degree-5 polynomial and {@code scalef(poly, n)}; all steps are float FMAs, so Java's
 * {@link Math#fma} and {@link FloatVector#fma} give its bits. The vector path builds {@code 2^n} from
 * its exponent bits, exact while {@code n >= -125}; blocks with smaller {@code n} (values below about
 * e^-86, or masked) take the scalar path, whose {@link Math#scalb} rounds once as {@code scalef} does.
 */
final class ReferenceSoftmax {

    static final int BLOCK = 16;
    private static final VectorSpecies<Float> F16X = FloatVector.SPECIES_512;
    private static final boolean VECTOR = FloatLanes.LANES == BLOCK;
    private static final ThreadLocal<float[]> SCALAR_LANES = ThreadLocal.withInitial(() -> new float[BLOCK]);

    private static final float SHIFTER = 0x1.8p23f;
    private static final float LOG2E = 0x1.715476p+0f;
    private static final float LN2_HI = 0x1.62e4p-1f;
    private static final float LN2_LO = 0x1.7f7d1cp-20f;
    private static final float P5 = 0x1.0e4020p-7f;
    private static final float P4 = 0x1.573e2ep-5f;
    private static final float P3 = 0x1.555e66p-3f;
    private static final float P2 = 0x1.fffdb6p-2f;
    private static final float P1 = 0x1.ffffecp-1f;

    private ReferenceSoftmax() {
    }

    static void softmax(float[] x, int n) {
        softmax(x, 0, n);
    }

    /** The softmax of {@code x[off .. off + n)}, in place. */
    static void softmax(float[] x, int off, int n) {
        int end = off + n;
        float max = max(x, off, end);
        double sum = 0;
        int i = off;
        if (VECTOR) {
            // expBlock written out: a vector passed to or returned from a method C2 does not inline is
            // boxed (JFR: ~30 KB per decode layer at 256 positions); the block sum reads the stored lanes
            FloatVector vmax = FloatVector.broadcast(F16X, max);
            for (; i + BLOCK <= end; i += BLOCK) {
                FloatVector v = FloatVector.fromArray(F16X, x, i).sub(vmax);
                FloatVector steps = v.fma(LOG2E, SHIFTER).sub(SHIFTER);
                if (steps.compare(VectorOperators.LT, -125f).or(steps.compare(VectorOperators.GT, 127f)).anyTrue()
                        || v.test(VectorOperators.IS_NAN).anyTrue()) {
                    sum += scalarBlock(x, i, BLOCK, max);
                    continue;
                }
                FloatVector negN = steps.neg();
                FloatVector b = negN.fma(FloatVector.broadcast(F16X, LN2_LO),
                        negN.fma(FloatVector.broadcast(F16X, LN2_HI), v));
                FloatVector u = b.mul(b);
                FloatVector j = b.fma(P5, P4).fma(u, b.fma(P3, P2)).fma(u, b.fma(P1, 1.0f));
                IntVector exponent = ((IntVector) steps.convert(VectorOperators.F2I, 0)).add(127)
                        .lanewise(VectorOperators.LSHL, 23);
                j.mul(exponent.reinterpretAsFloats()).intoArray(x, i);
                sum += FloatLanes.sum(x, i);
            }
        } else {
            for (; i + BLOCK <= end; i += BLOCK) {
                sum += scalarBlock(x, i, BLOCK, max);
            }
        }
        if (i < end) {
            sum += scalarBlock(x, i, end - i, max);
        }
        float inv = (float) (1.0 / sum);
        for (int k = off; k < end; k++) {
            x[k] *= inv;
        }
    }

    /**
     * {@link #softmax(float[], int, int)} of {@code x[off .. off + n)}, bit for bit, for a row with room up to the next
     * multiple of 16 past {@code off}; afterwards {@code x[off + n ..]} up to that multiple holds +0. Every block runs
     * vectorized: the last, partial one with its lanes past {@code n} masked (exp 0, as the scalar path counts them), and
     * blocks with values far below the maximum with the exponent handled in two steps (exp into the subnormals or 0). Only a block holding
     * a NaN or a value above the maximum plus 88 takes the scalar path. Prompt attention's rows end in a partial block,
     * so before this each row paid one scalar block of up to 15 exps, and rows with distant positions many more.
     */
    static void softmaxPadded(float[] x, int off, int n) {
        int end = off + n;
        int paddedEnd = off + (n + BLOCK - 1) / BLOCK * BLOCK;
        if (!VECTOR) {
            softmax(x, off, n);
            Arrays.fill(x, end, paddedEnd, 0f);
            return;
        }
        float max = max(x, off, end);
        FloatVector vmax = FloatVector.broadcast(F16X, max);
        FloatVector zero = FloatVector.zero(F16X);
        double sum = 0;
        for (int i = off; i < paddedEnd; i += BLOCK) {
            // lanes past the row (only in its last block): a mask from bits, cheaper than indexInRange per block
            long past = i + BLOCK <= end ? 0L : (0xFFFFL << (end - i)) & 0xFFFFL;
            VectorMask<Float> masked = VectorMask.fromLong(F16X, past);
            // masked lanes get the maximum: exp(0), no NaN from stale values; then they are set to 0.
            // The exp written out here: a vector returned from a method C2 does not inline is boxed.
            FloatVector v = FloatVector.fromArray(F16X, x, i).blend(vmax, masked).sub(vmax);
            FloatVector steps = v.fma(LOG2E, SHIFTER).sub(SHIFTER);
            if (steps.compare(VectorOperators.GT, 127f).anyTrue() || v.test(VectorOperators.IS_NAN).anyTrue()) {
                int count = Math.min(BLOCK, end - i);
                sum += scalarBlock(x, i, count, max);
                Arrays.fill(x, i + count, i + BLOCK, 0f);
                continue;
            }
            FloatVector negN = steps.neg();
            FloatVector b = negN.fma(FloatVector.broadcast(F16X, LN2_LO), negN.fma(FloatVector.broadcast(F16X, LN2_HI), v));
            FloatVector u = b.mul(b);
            FloatVector j = b.fma(P5, P4).fma(u, b.fma(P3, P2)).fma(u, b.fma(P1, 1.0f));
            // 2^n from its exponent bits for n in [-125, 127]; for n in [-192, -126] (j * 2^(n + 126)) * 2^-126,
            // whose first product is exact (j is near 1, the result normal) and whose second rounds once, as
            // Math.scalb does into the subnormals; below -192 exactly 0, as expf
            FloatVector clamped = steps.max(-192f);
            VectorMask<Float> low = clamped.compare(VectorOperators.LT, -125f);
            IntVector bits = ((IntVector) clamped.add(126f, low).convert(VectorOperators.F2I, 0)).add(127)
                    .lanewise(VectorOperators.LSHL, 23);
            FloatVector e = j.mul(bits.reinterpretAsFloats());
            e = e.blend(e.mul(Float.MIN_NORMAL), low);
            e = e.blend(zero, steps.compare(VectorOperators.LT, -192f).or(masked));
            e.intoArray(x, i);
            sum += FloatLanes.sum(x, i);
        }
        FloatVector inv = FloatVector.broadcast(F16X, (float) (1.0 / sum));
        for (int i = off; i < paddedEnd; i += BLOCK) {
            FloatVector.fromArray(F16X, x, i).mul(inv).intoArray(x, i);
        }
        Arrays.fill(x, end, paddedEnd, 0f); // 0 * inv is 0 unless the sum was NaN: keep the padding +0 then too
    }

    /**
     * The largest of {@code x[from .. end)}. Math.max is commutative and associative on every float
     * (a NaN wins, +0 beats -0), so lanes may take it in any order and give the scalar loop's value.
     */
    private static float max(float[] x, int from, int end) {
        float max = Float.NEGATIVE_INFINITY;
        int i = from;
        if (VECTOR) {
            FloatVector m = FloatVector.broadcast(F16X, Float.NEGATIVE_INFINITY);
            for (; i + BLOCK <= end; i += BLOCK) {
                m = m.max(FloatVector.fromArray(F16X, x, i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        return max;
    }

    /** The block at {@code x[from .. from + count)} with the scalar exp; lanes past count count as masked (0). */
    private static float scalarBlock(float[] x, int from, int count, float max) {
        // causal rows send every block with a masked lane here: a reused scratch, not two arrays per block
        float[] lanes = SCALAR_LANES.get();
        for (int k = 0; k < count; k++) {
            float e = expf(x[from + k] - max);
            x[from + k] = e;
            lanes[k] = e;
        }
        Arrays.fill(lanes, count, BLOCK, 0f);
        return lanes16SumInPlace(lanes);
    }

    /** ggml_v_expf, one lane. */
    static float expf(float x) {
        float z = Math.fma(x, LOG2E, SHIFTER);
        float n = z - SHIFTER;
        float b = Math.fma(-n, LN2_LO, Math.fma(-n, LN2_HI, x));
        float u = b * b;
        float j = Math.fma(Math.fma(Math.fma(P5, b, P4), u, Math.fma(P3, b, P2)), u, Math.fma(P1, b, 1.0f));
        if (!(Math.abs(n) > 192f)) {
            return Math.scalb(j, (int) n);
        }
        return n <= 0f ? 0f : Float.POSITIVE_INFINITY;
    }

    /** The AVX-512 horizontal add of 16 lanes: halves of 8, 4, 2, then 1. */
    static float lanes16Sum(float[] v) {
        return lanes16SumInPlace(v.clone());
    }

    /** {@link #lanes16Sum(float[])} that overwrites its argument. */
    private static float lanes16SumInPlace(float[] s) {
        for (int width = BLOCK / 2; width >= 1; width /= 2) {
            for (int k = 0; k < width; k++) {
                s[k] += s[k + width];
            }
        }
        return s[0];
    }
}

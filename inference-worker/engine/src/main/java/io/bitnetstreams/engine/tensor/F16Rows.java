package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast F16 row work for the logits loop (the tied F16 embedding is read once per generated token):
 * halves are widened to floats in vector lanes with exact bit arithmetic and multiplied with
 * {@link FloatVector} FMAs; rows are read by bulk-copying chunks of halves. Only loaded when the
 * {@code jdk.incubator.vector} module is present; {@link F16Tensor} falls back to scalar code otherwise.
 */
final class F16Rows {

    private static final int CHUNK = 1024;

    /** Per-thread scratch for one chunk of halves. */
    private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[CHUNK]);

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** Lane indices 0, 2, 4, ... and 1, 3, 5, ... over two vectors: the even and odd elements of x. */
    private static final FloatVector EVEN = indices(0);
    private static final FloatVector ODD = indices(1);

    private static FloatVector indices(int first) {
        float[] idx = new float[FLOATS.length()];
        for (int i = 0; i < idx.length; i++) idx[i] = first + 2 * i;
        return FloatVector.fromArray(FLOATS, idx, 0);
    }

    private F16Rows() {}

    /**
     * {@code sum_k half[k] * x[xOffset + k]} over {@code n} halves at byte offset {@code at}, converted
     * in vector lanes: each int lane holds two halves (element 2i low, 2i+1 high) and x is split into
     * its even and odd elements to match.
     */
    static float dotLanes(MemorySegment data, long at, int n, float[] x, int xOffset) {
        int lanes = INTS.length();
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        int k = 0;
        for (; k + 2 * lanes <= n; k += 2 * lanes) {
            IntVector pairs = IntVector.fromMemorySegment(INTS, data, at + 2L * k, ByteOrder.LITTLE_ENDIAN);
            FloatVector xa = FloatVector.fromArray(FLOATS, x, xOffset + k);
            FloatVector xb = FloatVector.fromArray(FLOATS, x, xOffset + k + lanes);
            acc0 = widen(pairs.and(0xFFFF)).fma(EVEN.selectFrom(xa, xb), acc0);
            acc1 = widen(pairs.lanewise(VectorOperators.LSHR, 16)).fma(ODD.selectFrom(xa, xb), acc1);
        }
        float tail = 0;
        for (; k < n; k++) {
            tail += Float.float16ToFloat(data.get(I16, at + 2L * k)) * x[xOffset + k];
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail;
    }

    /** IEEE half bits (low 16 bits of each lane) to float, exactly, including subnormals, inf and NaN. */
    private static FloatVector widen(IntVector h) {
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7FFF);
        // exponent rebias by scaling: (bits << 13) read as float is the value times 2^-112
        FloatVector finite = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.reinterpretAsInts()
                .blend(magnitude.and(0x3FF).lanewise(VectorOperators.LSHL, 13).or(0x7F80_0000), special);
        return bits.or(sign).reinterpretAsFloats();
    }

    /** Widens {@code n} halves at byte offset {@code at} into {@code dst[dstOffset ..]}. */
    static void read(MemorySegment data, long at, int n, float[] dst, int dstOffset) {
        short[] halves = SCRATCH.get();
        for (int k0 = 0; k0 < n; k0 += CHUNK) {
            int len = Math.min(CHUNK, n - k0);
            MemorySegment.copy(data, I16, at + 2L * k0, halves, 0, len);
            for (int i = 0; i < len; i++) {
                dst[dstOffset + k0 + i] = Float.float16ToFloat(halves[i]);
            }
        }
    }

}

package io.bitnetstreams.engine.kernel;

import static io.bitnetstreams.engine.kernel.FloatLanes.SPECIES;

import static io.bitnetstreams.engine.kernel.FloatLanes.LANES;
import static io.bitnetstreams.engine.kernel.FloatLanes.sum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Little-endian F16 rows read in place (the memory-mapped GGUF, no copy): each chunk of
 * {@code 2 * LANES} halves is loaded as int lanes (two halves each) and converted exactly in
 * registers, the even halves then the odd ones, so the input is de-interleaved per chunk to match
 * ({@link #prepareInput}). Per (row, token): {@code acc = even.fma(xEven, acc); acc = odd.fma(xOdd, acc)}
 * chunk after chunk, then the lane sum and the scalar tail.
 */
final class F16HeadRows extends HeadRows {

    private static final VectorSpecies<Integer> I = LANES == 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** F16 values per int vector load (two per int lane). */
    private static final int HALF_CHUNK = 2 * LANES;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Sign, F16 exponent and mantissa bits of a shifted half. */
    private static final int SIGN_EXPONENT_MANTISSA = 0x8FFFE000;

    private static final byte UNCHECKED = 0;
    private static final byte FINITE = 1;
    private static final byte SPECIAL = 2;

    private final MemorySegment rows;
    private final int vectorDim;
    /** Per row: UNCHECKED, FINITE or SPECIAL (holds an infinity or NaN). */
    private final byte[] rowState;

    F16HeadRows(MemorySegment rows, int vocab, int dim) {
        super(vocab, dim);
        this.rows = rows;
        this.vectorDim = dim - dim % HALF_CHUNK;
        this.rowState = new byte[vocab];
    }

    @Override
    float[] prepareInput(float[] x, int tokens) {
        float[] split = new float[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            int o = t * dim;
            for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
                for (int i = 0; i < LANES; i++) {
                    split[o + c + i] = x[o + c + 2 * i];
                    split[o + c + LANES + i] = x[o + c + 2 * i + 1];
                }
            }
            System.arraycopy(x, o + vectorDim, split, o + vectorDim, dim - vectorDim);
        }
        return split;
    }

    /*
     * F16 -> F32 in registers, written out in each kernel (C2 does not inline a helper into kernels
     * this large, and a vector crossing a call is boxed): the half sits with its sign in bit 31 and
     * exponent/mantissa in bits 13..27 of an int lane (the even half shifted left 16 then both
     * shifted right 3 arithmetically); masking to SIGN_EXPONENT_MANTISSA and scaling by 2^112 is exact
     * for normals and subnormals and keeps the sign. Only dot() also maps an all-ones exponent
     * (infinity, NaN) to sign | 0x7F800000 | mantissa like Float.float16ToFloat: the tiles skip that
     * blend (about a sixth of their time) and run only on rows checked to hold no such value, so
     * finite rows get the same bits from either.
     */

    @Override
    boolean tilesApply(int r0, int r1, int r2, int r3) {
        return finite(r0) && finite(r1) && finite(r2) && finite(r3);
    }

    /**
     * Whether row {@code row} holds no infinity or NaN; checked on first use and remembered (racing
     * threads store the same value, so the plain byte array is safe).
     */
    private boolean finite(int row) {
        byte state = rowState[row];
        if (state == UNCHECKED) {
            state = hasInfinityOrNan(row) ? SPECIAL : FINITE;
            rowState[row] = state;
        }
        return state == FINITE;
    }

    private boolean hasInfinityOrNan(int row) {
        long base = (long) row * dim * 2;
        for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
            IntVector h = IntVector.fromMemorySegment(I, rows, base + 2L * c, ByteOrder.LITTLE_ENDIAN);
            if (h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00)
                    .or(h.and(0x7C000000).compare(VectorOperators.EQ, 0x7C000000)).anyTrue()) {
                return true;
            }
        }
        for (int d = vectorDim; d < dim; d++) {
            if ((rows.get(F16, base + 2L * d) & 0x7C00) == 0x7C00) {
                return true;
            }
        }
        return false;
    }

    /** The values past the vector chunks, in k order (Java never fuses {@code a * b + c}). */
    private float tail(float sum, long base, float[] x, int xo) {
        for (int d = vectorDim; d < dim; d++) {
            sum += Float.float16ToFloat(rows.get(F16, base + 2L * d)) * x[xo + d];
        }
        return sum;
    }

    @Override
    float dot(int row, float[] x, int xo) {
        long base = (long) row * dim * 2;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
            IntVector weBits = IntVector.fromMemorySegment(I, rows, base + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector we = weBits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(weBits.and(SIGN_EXPONENT_MANTISSA).or(0x70000000),
                            weBits.and(0x0F800000).compare(VectorOperators.EQ, 0x0F800000))
                    .reinterpretAsFloats();
            acc = we.fma(FloatVector.fromArray(SPECIES, x, xo + c), acc);
            IntVector woBits = IntVector.fromMemorySegment(I, rows, base + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector wo = woBits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(woBits.and(SIGN_EXPONENT_MANTISSA).or(0x70000000),
                            woBits.and(0x0F800000).compare(VectorOperators.EQ, 0x0F800000))
                    .reinterpretAsFloats();
            acc = wo.fma(FloatVector.fromArray(SPECIES, x, xo + c + LANES), acc);
        }
        return tail(sum(acc), base, x, xo);
    }

    @Override
    void tile4x1(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, float[] lanes) {
        long b0 = (long) r0 * dim * 2;
        long b1 = (long) r1 * dim * 2;
        long b2 = (long) r2 * dim * 2;
        long b3 = (long) r3 * dim * 2;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
            IntVector w0Bits = IntVector.fromMemorySegment(I, rows, b0 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w0 = w0Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w1Bits = IntVector.fromMemorySegment(I, rows, b1 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w1 = w1Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w2Bits = IntVector.fromMemorySegment(I, rows, b2 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w2 = w2Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w3Bits = IntVector.fromMemorySegment(I, rows, b3 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w3 = w3Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + c);
            a0 = w0.fma(v, a0);
            a1 = w1.fma(v, a1);
            a2 = w2.fma(v, a2);
            a3 = w3.fma(v, a3);
            IntVector u0Bits = IntVector.fromMemorySegment(I, rows, b0 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u0 = u0Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u1Bits = IntVector.fromMemorySegment(I, rows, b1 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u1 = u1Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u2Bits = IntVector.fromMemorySegment(I, rows, b2 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u2 = u2Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u3Bits = IntVector.fromMemorySegment(I, rows, b3 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u3 = u3Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            v = FloatVector.fromArray(SPECIES, x, xo + c + LANES);
            a0 = u0.fma(v, a0);
            a1 = u1.fma(v, a1);
            a2 = u2.fma(v, a2);
            a3 = u3.fma(v, a3);
        }
        a0.intoArray(lanes, 0 * LANES);
        a1.intoArray(lanes, 1 * LANES);
        a2.intoArray(lanes, 2 * LANES);
        a3.intoArray(lanes, 3 * LANES);
        out[outIndex] = tail(sum(lanes, 0 * LANES), b0, x, xo);
        out[outIndex + 1] = tail(sum(lanes, 1 * LANES), b1, x, xo);
        out[outIndex + 2] = tail(sum(lanes, 2 * LANES), b2, x, xo);
        out[outIndex + 3] = tail(sum(lanes, 3 * LANES), b3, x, xo);
    }

    @Override
    void tile4x4(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, int outStride,
                 float[] lanes) {
        long b0 = (long) r0 * dim * 2;
        long b1 = (long) r1 * dim * 2;
        long b2 = (long) r2 * dim * 2;
        long b3 = (long) r3 * dim * 2;
        int x1 = xo + dim;
        int x2 = xo + 2 * dim;
        int x3 = xo + 3 * dim;
        // aRT: row R, token T.
        FloatVector a00 = FloatVector.zero(SPECIES);
        FloatVector a01 = FloatVector.zero(SPECIES);
        FloatVector a02 = FloatVector.zero(SPECIES);
        FloatVector a03 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES);
        FloatVector a11 = FloatVector.zero(SPECIES);
        FloatVector a12 = FloatVector.zero(SPECIES);
        FloatVector a13 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES);
        FloatVector a21 = FloatVector.zero(SPECIES);
        FloatVector a22 = FloatVector.zero(SPECIES);
        FloatVector a23 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES);
        FloatVector a31 = FloatVector.zero(SPECIES);
        FloatVector a32 = FloatVector.zero(SPECIES);
        FloatVector a33 = FloatVector.zero(SPECIES);
        for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
            // Even halves of the chunk for the four rows, then the odd halves: every accumulator
            // takes even before odd, as in dot().
            IntVector w0Bits = IntVector.fromMemorySegment(I, rows, b0 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w0 = w0Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w1Bits = IntVector.fromMemorySegment(I, rows, b1 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w1 = w1Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w2Bits = IntVector.fromMemorySegment(I, rows, b2 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w2 = w2Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector w3Bits = IntVector.fromMemorySegment(I, rows, b3 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            FloatVector w3 = w3Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + c);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(SPECIES, x, x1 + c);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(SPECIES, x, x2 + c);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(SPECIES, x, x3 + c);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
            int co = c + LANES;
            IntVector u0Bits = IntVector.fromMemorySegment(I, rows, b0 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u0 = u0Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u1Bits = IntVector.fromMemorySegment(I, rows, b1 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u1 = u1Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u2Bits = IntVector.fromMemorySegment(I, rows, b2 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u2 = u2Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            IntVector u3Bits = IntVector.fromMemorySegment(I, rows, b3 + 2L * c, ByteOrder.LITTLE_ENDIAN)
                    .lanewise(VectorOperators.ASHR, 3);
            FloatVector u3 = u3Bits.and(SIGN_EXPONENT_MANTISSA).reinterpretAsFloats()
                    .mul(0x1p112f);
            v = FloatVector.fromArray(SPECIES, x, xo + co);
            a00 = u0.fma(v, a00);
            a10 = u1.fma(v, a10);
            a20 = u2.fma(v, a20);
            a30 = u3.fma(v, a30);
            v = FloatVector.fromArray(SPECIES, x, x1 + co);
            a01 = u0.fma(v, a01);
            a11 = u1.fma(v, a11);
            a21 = u2.fma(v, a21);
            a31 = u3.fma(v, a31);
            v = FloatVector.fromArray(SPECIES, x, x2 + co);
            a02 = u0.fma(v, a02);
            a12 = u1.fma(v, a12);
            a22 = u2.fma(v, a22);
            a32 = u3.fma(v, a32);
            v = FloatVector.fromArray(SPECIES, x, x3 + co);
            a03 = u0.fma(v, a03);
            a13 = u1.fma(v, a13);
            a23 = u2.fma(v, a23);
            a33 = u3.fma(v, a33);
        }
        int o1 = outIndex + outStride;
        int o2 = outIndex + 2 * outStride;
        int o3 = outIndex + 3 * outStride;
        a00.intoArray(lanes, 0 * LANES);
        a10.intoArray(lanes, 1 * LANES);
        a20.intoArray(lanes, 2 * LANES);
        a30.intoArray(lanes, 3 * LANES);
        a01.intoArray(lanes, 4 * LANES);
        a11.intoArray(lanes, 5 * LANES);
        a21.intoArray(lanes, 6 * LANES);
        a31.intoArray(lanes, 7 * LANES);
        a02.intoArray(lanes, 8 * LANES);
        a12.intoArray(lanes, 9 * LANES);
        a22.intoArray(lanes, 10 * LANES);
        a32.intoArray(lanes, 11 * LANES);
        a03.intoArray(lanes, 12 * LANES);
        a13.intoArray(lanes, 13 * LANES);
        a23.intoArray(lanes, 14 * LANES);
        a33.intoArray(lanes, 15 * LANES);
        out[outIndex] = tail(sum(lanes, 0 * LANES), b0, x, xo);
        out[outIndex + 1] = tail(sum(lanes, 1 * LANES), b1, x, xo);
        out[outIndex + 2] = tail(sum(lanes, 2 * LANES), b2, x, xo);
        out[outIndex + 3] = tail(sum(lanes, 3 * LANES), b3, x, xo);
        out[o1] = tail(sum(lanes, 4 * LANES), b0, x, x1);
        out[o1 + 1] = tail(sum(lanes, 5 * LANES), b1, x, x1);
        out[o1 + 2] = tail(sum(lanes, 6 * LANES), b2, x, x1);
        out[o1 + 3] = tail(sum(lanes, 7 * LANES), b3, x, x1);
        out[o2] = tail(sum(lanes, 8 * LANES), b0, x, x2);
        out[o2 + 1] = tail(sum(lanes, 9 * LANES), b1, x, x2);
        out[o2 + 2] = tail(sum(lanes, 10 * LANES), b2, x, x2);
        out[o2 + 3] = tail(sum(lanes, 11 * LANES), b3, x, x2);
        out[o3] = tail(sum(lanes, 12 * LANES), b0, x, x3);
        out[o3 + 1] = tail(sum(lanes, 13 * LANES), b1, x, x3);
        out[o3 + 2] = tail(sum(lanes, 14 * LANES), b2, x, x3);
        out[o3 + 3] = tail(sum(lanes, 15 * LANES), b3, x, x3);
    }

}

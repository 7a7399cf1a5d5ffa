package io.bitnetstreams.engine.kernel;

import static io.bitnetstreams.engine.kernel.FloatLanes.SPECIES;

import static io.bitnetstreams.engine.kernel.FloatLanes.LANES;
import static io.bitnetstreams.engine.kernel.FloatLanes.sum;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * q8 rows ({@link HeadKernels.Q8Rows}) as f32 {@code w = q * d} (one product per value, rounded once,
 * well inside q8's own error), widened in registers: {@code acc = w.fma(x, acc)} over k in order.
 * The dimension is a multiple of 32, so there is no scalar tail.
 */
final class Q8HeadRows extends HeadRows {

    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = LANES == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    /** log2 of the q8 block: k >>> BLOCK_SHIFT is the block (scale) index. */
    private static final int BLOCK_SHIFT = Integer.numberOfTrailingZeros(HeadKernels.Q8_BLOCK);

    private final byte[] quants;
    private final float[] scales;
    private final int blocks;

    Q8HeadRows(HeadKernels.Q8Rows q8) {
        super(q8.vocab(), q8.dim());
        this.quants = q8.quants();
        this.scales = q8.scales();
        this.blocks = dim / HeadKernels.Q8_BLOCK;
    }

    private FloatVector row(int q, int s, int k) {
        return ((FloatVector) ByteVector.fromArray(B, quants, q + k).convertShape(VectorOperators.B2F, SPECIES, 0))
                .mul(scales[s + (k >>> BLOCK_SHIFT)]);
    }

    @Override
    float dot(int row, float[] x, int xo) {
        int q = row * dim;
        int s = row * blocks;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int k = 0; k < dim; k += LANES) {
            acc = row(q, s, k).fma(FloatVector.fromArray(SPECIES, x, xo + k), acc);
        }
        return sum(acc);
    }

    @Override
    void tile4x1(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, float[] lanes) {
        int q0 = r0 * dim;
        int q1 = r1 * dim;
        int q2 = r2 * dim;
        int q3 = r3 * dim;
        int s0 = r0 * blocks;
        int s1 = r1 * blocks;
        int s2 = r2 * blocks;
        int s3 = r3 * blocks;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        for (int k = 0; k < dim; k += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + k);
            a0 = row(q0, s0, k).fma(v, a0);
            a1 = row(q1, s1, k).fma(v, a1);
            a2 = row(q2, s2, k).fma(v, a2);
            a3 = row(q3, s3, k).fma(v, a3);
        }
        a0.intoArray(lanes, 0 * LANES);
        a1.intoArray(lanes, 1 * LANES);
        a2.intoArray(lanes, 2 * LANES);
        a3.intoArray(lanes, 3 * LANES);
        out[outIndex] = sum(lanes, 0 * LANES);
        out[outIndex + 1] = sum(lanes, 1 * LANES);
        out[outIndex + 2] = sum(lanes, 2 * LANES);
        out[outIndex + 3] = sum(lanes, 3 * LANES);
    }

    @Override
    void tile4x4(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, int outStride,
                 float[] lanes) {
        int q0 = r0 * dim;
        int q1 = r1 * dim;
        int q2 = r2 * dim;
        int q3 = r3 * dim;
        int s0 = r0 * blocks;
        int s1 = r1 * blocks;
        int s2 = r2 * blocks;
        int s3 = r3 * blocks;
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
        for (int k = 0; k < dim; k += LANES) {
            FloatVector w0 = row(q0, s0, k);
            FloatVector w1 = row(q1, s1, k);
            FloatVector w2 = row(q2, s2, k);
            FloatVector w3 = row(q3, s3, k);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + k);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(SPECIES, x, x1 + k);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(SPECIES, x, x2 + k);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(SPECIES, x, x3 + k);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
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
        out[outIndex] = sum(lanes, 0 * LANES);
        out[outIndex + 1] = sum(lanes, 1 * LANES);
        out[outIndex + 2] = sum(lanes, 2 * LANES);
        out[outIndex + 3] = sum(lanes, 3 * LANES);
        out[o1] = sum(lanes, 4 * LANES);
        out[o1 + 1] = sum(lanes, 5 * LANES);
        out[o1 + 2] = sum(lanes, 6 * LANES);
        out[o1 + 3] = sum(lanes, 7 * LANES);
        out[o2] = sum(lanes, 8 * LANES);
        out[o2 + 1] = sum(lanes, 9 * LANES);
        out[o2 + 2] = sum(lanes, 10 * LANES);
        out[o2 + 3] = sum(lanes, 11 * LANES);
        out[o3] = sum(lanes, 12 * LANES);
        out[o3 + 1] = sum(lanes, 13 * LANES);
        out[o3 + 2] = sum(lanes, 14 * LANES);
        out[o3 + 3] = sum(lanes, 15 * LANES);
    }

}

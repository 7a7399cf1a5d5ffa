package io.bitnetstreams.engine.kernel;

import static io.bitnetstreams.engine.kernel.FloatLanes.LANES;
import static io.bitnetstreams.engine.kernel.FloatLanes.SPECIES;
import static io.bitnetstreams.engine.kernel.FloatLanes.sum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit rows ({@link HeadKernels.Q4Rows}): per 32-value block an f32 scale {@code d} and 16 bytes,
 * byte j holding the signed nibbles of values j (low) and j + 16 (high); value = {@code d * q}.
 *
 * <p>The nibbles become floats without masking or offsets: a byte sign-extended to an int lane is
 * {@code 16 * hi + (lo & 15)}, so {@code lane << 28} is exactly {@code lo * 2^28} and
 * {@code lane & ~15} exactly {@code hi * 16}. {@link #prepareInput} scales the input by 2^-28 and
 * 2^-4 to match (exact powers of two), so each product is {@code q * x} as if unscaled. Per (row,
 * token) and block: {@code blk = lo * xLo}, {@code blk = hi.fma(xHi, blk)} (both halves of each
 * {@code LANES} bytes in turn), then {@code acc = blk.fma(d, acc)}; then the lane sum. One scale
 * multiply per block instead of per value: decode (one token) is what this head is for.
 */
final class Q4HeadRows extends HeadRows {

    /** Bytes that widen to one int vector. */
    private static final VectorSpecies<Byte> B = LANES == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I = LANES == 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    private static final ValueLayout.OfFloat SCALE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Values per block. */
    static final int BLOCK = HeadKernels.Q4_BLOCK;
    /** Packed bytes per block. */
    static final int BLOCK_BYTES = BLOCK / 2;
    private static final float LOW_SCALE = 0x1p-28f;
    private static final float HIGH_SCALE = 0x1p-4f;

    private final MemorySegment data;
    private final int blocks;
    private final long rowBytes;
    private final long scaleBytes;

    Q4HeadRows(HeadKernels.Q4Rows q4) {
        super(q4.vocab(), q4.dim());
        this.data = q4.data();
        this.blocks = dim / BLOCK;
        this.rowBytes = HeadKernels.Q4Rows.rowBytes(dim);
        this.scaleBytes = 4L * blocks;
    }

    @Override
    float[] prepareInput(float[] x, int tokens) {
        float[] scaled = new float[tokens * dim];
        for (int i = 0; i < tokens * dim; i++) {
            scaled[i] = x[i] * ((i % BLOCK) < BLOCK_BYTES ? LOW_SCALE : HIGH_SCALE);
        }
        return scaled;
    }

    @Override
    float dot(int row, float[] x, int xo) {
        long s = (long) row * rowBytes;
        long q = s + scaleBytes;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int b = 0; b < blocks; b++) {
            int xb = xo + b * BLOCK;
            long qb = q + (long) b * BLOCK_BYTES;
            FloatVector blk = FloatVector.zero(SPECIES);
            for (int j = 0; j < BLOCK_BYTES; j += LANES) {
                IntVector bytes = (IntVector) ByteVector.fromMemorySegment(B, data, qb + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                FloatVector lo = (FloatVector) bytes.lanewise(VectorOperators.LSHL, 28).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) bytes.and(~15).convert(VectorOperators.I2F, 0);
                blk = j == 0 ? lo.mul(FloatVector.fromArray(SPECIES, x, xb + j))
                        : lo.fma(FloatVector.fromArray(SPECIES, x, xb + j), blk);
                blk = hi.fma(FloatVector.fromArray(SPECIES, x, xb + BLOCK_BYTES + j), blk);
            }
            acc = blk.fma(FloatVector.broadcast(SPECIES, data.get(SCALE, s + 4L * b)), acc);
        }
        return sum(acc);
    }

    @Override
    void tile4x1(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, float[] lanes) {
        long s0 = (long) r0 * rowBytes;
        long s1 = (long) r1 * rowBytes;
        long s2 = (long) r2 * rowBytes;
        long s3 = (long) r3 * rowBytes;
        // Every load is a segment load at an offset linear in the long loop counter b: C2 then hoists
        // all bounds checks out of the loop (with int-indexed x loads it did not: 3x slower, measured).
        MemorySegment xs = MemorySegment.ofArray(x);
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        for (long b = 0; b < blocks; b++) {
            long xb = 4L * xo + b * (4L * BLOCK);
            long qo = scaleBytes + b * BLOCK_BYTES;
            FloatVector k0 = FloatVector.zero(SPECIES);
            FloatVector k1 = FloatVector.zero(SPECIES);
            FloatVector k2 = FloatVector.zero(SPECIES);
            FloatVector k3 = FloatVector.zero(SPECIES);
            for (int j = 0; j < BLOCK_BYTES; j += LANES) {
                FloatVector xl = FloatVector.fromMemorySegment(SPECIES, xs, xb + 4L * j, ByteOrder.LITTLE_ENDIAN);
                FloatVector xh = FloatVector.fromMemorySegment(SPECIES, xs, xb + 4L * (BLOCK_BYTES + j), ByteOrder.LITTLE_ENDIAN);
                IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, data, s0 + qo + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, data, s1 + qo + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector q2 = (IntVector) ByteVector.fromMemorySegment(B, data, s2 + qo + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector q3 = (IntVector) ByteVector.fromMemorySegment(B, data, s3 + qo + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                FloatVector l0 = (FloatVector) q0.lanewise(VectorOperators.LSHL, 28).convert(VectorOperators.I2F, 0);
                FloatVector l1 = (FloatVector) q1.lanewise(VectorOperators.LSHL, 28).convert(VectorOperators.I2F, 0);
                FloatVector l2 = (FloatVector) q2.lanewise(VectorOperators.LSHL, 28).convert(VectorOperators.I2F, 0);
                FloatVector l3 = (FloatVector) q3.lanewise(VectorOperators.LSHL, 28).convert(VectorOperators.I2F, 0);
                if (j == 0) {
                    k0 = l0.mul(xl);
                    k1 = l1.mul(xl);
                    k2 = l2.mul(xl);
                    k3 = l3.mul(xl);
                } else {
                    k0 = l0.fma(xl, k0);
                    k1 = l1.fma(xl, k1);
                    k2 = l2.fma(xl, k2);
                    k3 = l3.fma(xl, k3);
                }
                FloatVector h0 = (FloatVector) q0.and(~15).convert(VectorOperators.I2F, 0);
                FloatVector h1 = (FloatVector) q1.and(~15).convert(VectorOperators.I2F, 0);
                FloatVector h2 = (FloatVector) q2.and(~15).convert(VectorOperators.I2F, 0);
                FloatVector h3 = (FloatVector) q3.and(~15).convert(VectorOperators.I2F, 0);
                k0 = h0.fma(xh, k0);
                k1 = h1.fma(xh, k1);
                k2 = h2.fma(xh, k2);
                k3 = h3.fma(xh, k3);
            }
            a0 = k0.fma(FloatVector.broadcast(SPECIES, data.get(SCALE, s0 + 4L * b)), a0);
            a1 = k1.fma(FloatVector.broadcast(SPECIES, data.get(SCALE, s1 + 4L * b)), a1);
            a2 = k2.fma(FloatVector.broadcast(SPECIES, data.get(SCALE, s2 + 4L * b)), a2);
            a3 = k3.fma(FloatVector.broadcast(SPECIES, data.get(SCALE, s3 + 4L * b)), a3);
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

    /**
     * Four rows times four tokens as four {@link #tile4x1} passes over rows that are then in cache
     * (batched decode and prompt heads are rare next to one-token decode; 16 block accumulators plus
     * 16 row accumulators would spill).
     */
    @Override
    void tile4x4(int r0, int r1, int r2, int r3, float[] x, int xo, float[] out, int outIndex, int outStride,
                 float[] lanes) {
        for (int t = 0; t < TOKEN_TILE; t++) {
            tile4x1(r0, r1, r2, r3, x, xo + t * dim, out, outIndex + t * outStride, lanes);
        }
    }
}

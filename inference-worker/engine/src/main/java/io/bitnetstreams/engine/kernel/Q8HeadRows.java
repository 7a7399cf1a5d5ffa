package io.bitnetstreams.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * q8 rows ({@link HeadKernels.Q8Rows}) widened as {@code w = q * d}: one f32 product per value, so
 * the tile kernel sees plain f32 rows (one rounding per value, well inside q8's own error).
 */
final class Q8HeadRows extends HeadRows {

    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = HeadTiles.LANES == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final int PARTS = HeadKernels.Q8_BLOCK / HeadTiles.LANES;

    private final byte[] quants;
    private final float[] scales;
    private final int blocks;

    Q8HeadRows(HeadKernels.Q8Rows q8) {
        super(q8.vocab(), q8.dim());
        this.quants = q8.quants();
        this.scales = q8.scales();
        this.blocks = dim / HeadKernels.Q8_BLOCK;
    }

    @Override
    Object newScratch() {
        return null;
    }

    @Override
    void widen(int first, int count, float[] dst, int dstOffset, Object scratch) {
        int totalBlocks = count * blocks;
        int q = first * dim;
        int s = first * blocks;
        for (int b = 0; b < totalBlocks; b++) {
            FloatVector d = FloatVector.broadcast(HeadTiles.F, scales[s + b]);
            int o = b * HeadKernels.Q8_BLOCK;
            for (int p = 0; p < PARTS; p++) {
                int k = o + p * HeadTiles.LANES;
                ((FloatVector) ByteVector.fromArray(B, quants, q + k).convertShape(VectorOperators.B2F, HeadTiles.F, 0))
                        .mul(d).intoArray(dst, dstOffset + k);
            }
        }
    }
}

package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian F16 rows read in place (the memory-mapped GGUF): a block of rows is copied into a
 * short[] and widened by a plain {@link Float#float16ToFloat} loop, which C2 compiles to
 * {@code vcvtph2ps}. The conversion is exact, so the f32 values are those of the reference.
 */
final class F16HeadRows extends HeadRows {

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment rows;

    F16HeadRows(MemorySegment rows, int vocab, int dim) {
        super(vocab, dim);
        this.rows = rows;
    }

    @Override
    Object newScratch() {
        return new short[HeadTiles.ROW_TILE * dim];
    }

    @Override
    void widen(int first, int count, float[] dst, int dstOffset, Object scratch) {
        short[] halves = (short[]) scratch;
        int n = count * dim;
        MemorySegment.copy(rows, F16, (long) first * dim * 2, halves, 0, n);
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(halves[i]);
        }
    }
}

package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import java.lang.foreign.MemorySegment;
import java.util.function.LongPredicate;

/**
 * The TQ formats store an f16 {@code d} per 256-element block, while BitNet needs one scale per tensor:
 * every block holding a non-zero trit must carry the same d (blocks of zero trits may carry any d).
 */
final class BlockScales {

    private BlockScales() {}

    /**
     * @param dOffset byte offset of d inside a block
     * @param allZeroTrits tells whether block b holds only zero trits (code 1)
     * @return the common d (0 when no block holds a non-zero trit)
     */
    static float commonScale(MemorySegment data, long blocks, int blockBytes, int dOffset, String format,
                             LongPredicate allZeroTrits) {
        float common = Float.NaN;
        long commonBlock = -1;
        for (long b = 0; b < blocks; b++) {
            long at = b * blockBytes + dOffset;
            float d = Float.float16ToFloat(data.get(I16, at));
            if (d == common || allZeroTrits.test(b)) {
                continue;
            }
            if (!Float.isFinite(d)) {
                throw new GgufFormatException(format + " block " + b + " (d at byte offset " + at + ") has scale " + d);
            }
            if (commonBlock >= 0) {
                throw new GgufFormatException(format + " block " + b + " (d at byte offset " + at + ") has scale " + d
                        + " but block " + commonBlock + " has " + common
                        + "; BitNet needs one scale per tensor, not one per block");
            }
            common = d;
            commonBlock = b;
        }
        return commonBlock < 0 ? 0f : common;
    }
}

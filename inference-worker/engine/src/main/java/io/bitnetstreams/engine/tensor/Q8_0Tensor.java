package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;
import static io.bitnetstreams.engine.tensor.Layouts.I8;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Q8_0: blocks of 32 elements, each an f16 scale {@code d} followed by 32 int8; value = q * d. */
public final class Q8_0Tensor implements FloatTensor {

    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 2 + BLOCK;

    private final MemorySegment data;
    private final long elements;

    private Q8_0Tensor(MemorySegment data, long elements) {
        this.data = data;
        this.elements = elements;
    }

    public static Q8_0Tensor of(MemorySegment data, long elements) {
        Layouts.requirePositive(elements, "Q8_0");
        Layouts.requireBytes(data, byteSize(elements), "Q8_0 tensor of " + elements + " elements");
        return new Q8_0Tensor(data, elements);
    }

    /** @throws IllegalArgumentException unless {@code elements} is a positive multiple of 32 */
    public static long byteSize(long elements) {
        if (elements % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of 32 elements, got " + elements);
        }
        return Math.multiplyExact(elements / BLOCK, (long) BLOCK_BYTES);
    }

    /**
     * Quantizes {@code src[srcOffset .. +count]} (a multiple of 32) into Q8_0 blocks at
     * {@code dst[dstOffset ..]} as ggml does: {@code d = max|x| / 127}, {@code q = round(x / d)}
     * (half away from zero), d stored as f16.
     */
    public static void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        if (count % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of 32 elements, got " + count);
        }
        for (int b = 0; b < count / BLOCK; b++) {
            int from = srcOffset + b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(src[from + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            long at = dstOffset + (long) b * BLOCK_BYTES;
            dst.set(I16, at, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst.set(I8, at + 2 + j, (byte) Layouts.roundHalfAway(src[from + j] * id)); // |x*id| <= 127
            }
        }
    }

    @Override
    public long elementCount() {
        return elements;
    }

    @Override
    public float get(long index) {
        Objects.checkIndex(index, elements);
        long at = index / BLOCK * BLOCK_BYTES;
        return data.get(I8, at + 2 + index % BLOCK) * Float.float16ToFloat(data.get(I16, at));
    }

    @Override
    public void readRow(int row, int cols, float[] dst, int dstOffset) {
        long start = Layouts.rowStart(row, cols, elements);
        Layouts.requireDst(dst, dstOffset, cols);
        if (start % BLOCK != 0 || cols % BLOCK != 0) {
            for (int k = 0; k < cols; k++) {
                dst[dstOffset + k] = get(start + k);
            }
            return;
        }
        long at = start / BLOCK * BLOCK_BYTES;
        for (int k = 0; k < cols; k += BLOCK, at += BLOCK_BYTES) {
            float d = Float.float16ToFloat(data.get(I16, at));
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + k + j] = data.get(I8, at + 2 + j) * d;
            }
        }
    }

    @Override
    public float dotRow(int row, int cols, float[] x, int xOffset) {
        long start = Layouts.rowStart(row, cols, elements);
        Objects.checkFromIndexSize(xOffset, cols, x.length);
        if (start % BLOCK != 0 || cols % BLOCK != 0) {
            float sum = 0;
            for (int k = 0; k < cols; k++) {
                sum += get(start + k) * x[xOffset + k];
            }
            return sum;
        }
        float sum = 0;
        long at = start / BLOCK * BLOCK_BYTES;
        for (int k = 0; k < cols; k += BLOCK, at += BLOCK_BYTES) {
            float s0 = 0, s1 = 0;
            for (int j = 0; j < BLOCK; j += 2) {
                s0 += data.get(I8, at + 2 + j) * x[xOffset + k + j];
                s1 += data.get(I8, at + 3 + j) * x[xOffset + k + j + 1];
            }
            sum += (s0 + s1) * Float.float16ToFloat(data.get(I16, at));
        }
        return sum;
    }
}

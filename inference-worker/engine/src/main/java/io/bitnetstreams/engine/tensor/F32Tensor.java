package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.F32;

import java.lang.foreign.MemorySegment;

/** F32: 4 bytes per element, little-endian IEEE 754. */
public final class F32Tensor implements FloatTensor {

    private final MemorySegment data;
    private final long elements;

    private F32Tensor(MemorySegment data, long elements) {
        this.data = data;
        this.elements = elements;
    }

    public static F32Tensor of(MemorySegment data, long elements) {
        Layouts.requirePositive(elements, "F32");
        Layouts.requireBytes(data, byteSize(elements), "F32 tensor of " + elements + " elements");
        return new F32Tensor(data, elements);
    }

    public static long byteSize(long elements) {
        return Math.multiplyExact(elements, 4L);
    }

    /** Writes {@code src[srcOffset .. +count]} as F32 at {@code dst[dstOffset ..]}. */
    public static void pack(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(src, srcOffset, dst, F32, dstOffset, count);
    }

    @Override
    public long elementCount() {
        return elements;
    }

    @Override
    public float get(long index) {
        java.util.Objects.checkIndex(index, elements);
        return data.get(F32, index * 4);
    }

    @Override
    public void readRow(int row, int cols, float[] dst, int dstOffset) {
        long start = Layouts.rowStart(row, cols, elements);
        MemorySegment.copy(data, F32, start * 4, dst, dstOffset, cols);
    }

    @Override
    public float dotRow(int row, int cols, float[] x, int xOffset) {
        long base = Layouts.rowStart(row, cols, elements) * 4;
        java.util.Objects.checkFromIndexSize(xOffset, cols, x.length);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= cols; k += 4) {
            long at = base + k * 4L;
            s0 += data.get(F32, at) * x[xOffset + k];
            s1 += data.get(F32, at + 4) * x[xOffset + k + 1];
            s2 += data.get(F32, at + 8) * x[xOffset + k + 2];
            s3 += data.get(F32, at + 12) * x[xOffset + k + 3];
        }
        for (; k < cols; k++) {
            s0 += data.get(F32, base + k * 4L) * x[xOffset + k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}

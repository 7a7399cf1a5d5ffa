package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;

import java.lang.foreign.MemorySegment;

/** F16: IEEE 754 half precision, 2 bytes per element, little-endian. */
public final class F16Tensor implements FloatTensor {

    /** Whether the Vector API is there (the launchers and tests add it); the scalar path works without. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final MemorySegment data;
    private final long elements;

    private F16Tensor(MemorySegment data, long elements) {
        this.data = data;
        this.elements = elements;
    }

    public static F16Tensor of(MemorySegment data, long elements) {
        Layouts.requirePositive(elements, "F16");
        Layouts.requireBytes(data, byteSize(elements), "F16 tensor of " + elements + " elements");
        return new F16Tensor(data, elements);
    }

    public static long byteSize(long elements) {
        return Math.multiplyExact(elements, 2L);
    }

    /** Writes {@code src[srcOffset .. +count]} as F16 at {@code dst[dstOffset ..]} (IEEE half precision). */
    public static void pack(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        for (int i = 0; i < count; i++) {
            dst.set(I16, dstOffset + 2L * i, encode(src[srcOffset + i]));
        }
    }

    /** One value in F16, rounded to nearest even. */
    public static short encode(float value) {
        return Float.floatToFloat16(value);
    }

    /** Decodes one F16 value. */
    public static float decode(short bits) {
        return Float.float16ToFloat(bits);
    }

    @Override
    public long elementCount() {
        return elements;
    }

    @Override
    public float get(long index) {
        java.util.Objects.checkIndex(index, elements);
        return decode(data.get(I16, index * 2));
    }

    @Override
    public void readRow(int row, int cols, float[] dst, int dstOffset) {
        long start = Layouts.rowStart(row, cols, elements);
        Layouts.requireDst(dst, dstOffset, cols);
        long base = start * 2;
        if (VECTOR) {
            F16Rows.read(data, base, cols, dst, dstOffset);
            return;
        }
        for (int k = 0; k < cols; k++) {
            dst[dstOffset + k] = decode(data.get(I16, base + 2L * k));
        }
    }

    @Override
    public float dotRow(int row, int cols, float[] x, int xOffset) {
        long base = Layouts.rowStart(row, cols, elements) * 2;
        java.util.Objects.checkFromIndexSize(xOffset, cols, x.length);
        return VECTOR ? F16Rows.dotLanes(data, base, cols, x, xOffset) : dotScalar(base, cols, x, xOffset);
    }

    /** The plain loop: the fallback without the Vector API, and the reference in tests. */
    float dotScalar(long base, int cols, float[] x, int xOffset) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= cols; k += 4) {
            long at = base + k * 2L;
            s0 += decode(data.get(I16, at)) * x[xOffset + k];
            s1 += decode(data.get(I16, at + 2)) * x[xOffset + k + 1];
            s2 += decode(data.get(I16, at + 4)) * x[xOffset + k + 2];
            s3 += decode(data.get(I16, at + 6)) * x[xOffset + k + 3];
        }
        for (; k < cols; k++) {
            s0 += decode(data.get(I16, base + k * 2L)) * x[xOffset + k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}

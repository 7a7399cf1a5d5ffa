package io.bitnetstreams.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/** Little-endian unaligned layouts and the bound checks every tensor format shares. */
final class Layouts {

    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Layouts() {}

    /** Checks that {@code data} holds at least {@code bytes}; a short segment is a caller error. */
    static void requireBytes(MemorySegment data, long bytes, String what) {
        Objects.requireNonNull(data, "data");
        if (data.byteSize() < bytes) {
            throw new IllegalArgumentException(what + " needs " + bytes + " bytes, segment has " + data.byteSize());
        }
    }

    static void requirePositive(long elements, String what) {
        if (elements <= 0) {
            throw new IllegalArgumentException(what + ": element count must be positive, got " + elements);
        }
    }

    /** Checks that row {@code row} of width {@code cols} lies inside {@code elements}; returns its first index. */
    static long rowStart(int row, int cols, long elements) {
        if (row < 0 || cols < 0 || (long) row * cols + cols > elements) {
            throw new IndexOutOfBoundsException("row " + row + " of width " + cols + " is outside " + elements + " elements");
        }
        return (long) row * cols;
    }

    static void requireDst(float[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
    }

    /** C {@code roundf}: halves away from zero (Math.round rounds them up). */
    static int roundHalfAway(float v) {
        double rounded = Math.floor(Math.abs((double) v) + 0.5);
        return (int) Math.copySign(rounded, v);
    }

    /** Checks ternary dims: positive rows and cols, the element count fits a long. */
    static long ternaryElements(int rows, int cols, String format) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(format + ": rows and cols must be positive, got " + rows + " x " + cols);
        }
        return (long) rows * cols;
    }

    /** Checks that codes holds rows x cols values in 0..2. */
    static void requireCodes(byte[] codes, int codeOffset, long count, String format) {
        Objects.checkFromIndexSize(codeOffset, Math.toIntExact(count), codes.length);
        for (int i = 0; i < count; i++) {
            int c = codes[codeOffset + i];
            if (c < 0 || c > 2) {
                throw new IllegalArgumentException(format + ": code " + c + " at index " + i + " is not in 0..2");
            }
        }
    }
}

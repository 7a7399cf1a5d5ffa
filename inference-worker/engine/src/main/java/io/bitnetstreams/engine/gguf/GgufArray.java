package io.bitnetstreams.engine.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable GGUF array value: an element type and the elements, kept in a primitive Java array
 * (UINT8/INT8 in byte[], UINT16/INT16 in short[], UINT32/INT32 in int[], UINT64/INT64 in long[],
 * FLOAT32 in float[], FLOAT64 in double[], BOOL in boolean[]), a list of strings or a list of arrays.
 * Unsigned values keep their raw bits.
 */
public final class GgufArray {

    private final GgufValueType elementType;
    private final Object storage;
    private final int length;

    private GgufArray(GgufValueType elementType, Object storage, int length) {
        this.elementType = elementType;
        this.storage = storage;
        this.length = length;
    }

    public static GgufArray ofUInt8(byte[] values) {
        return new GgufArray(GgufValueType.UINT8, values.clone(), values.length);
    }

    public static GgufArray ofInt8(byte[] values) {
        return new GgufArray(GgufValueType.INT8, values.clone(), values.length);
    }

    public static GgufArray ofUInt16(short[] values) {
        return new GgufArray(GgufValueType.UINT16, values.clone(), values.length);
    }

    public static GgufArray ofInt16(short[] values) {
        return new GgufArray(GgufValueType.INT16, values.clone(), values.length);
    }

    public static GgufArray ofUInt32(int[] values) {
        return new GgufArray(GgufValueType.UINT32, values.clone(), values.length);
    }

    public static GgufArray ofInt32(int[] values) {
        return new GgufArray(GgufValueType.INT32, values.clone(), values.length);
    }

    public static GgufArray ofUInt64(long[] values) {
        return new GgufArray(GgufValueType.UINT64, values.clone(), values.length);
    }

    public static GgufArray ofInt64(long[] values) {
        return new GgufArray(GgufValueType.INT64, values.clone(), values.length);
    }

    public static GgufArray ofFloat32(float[] values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone(), values.length);
    }

    public static GgufArray ofFloat64(double[] values) {
        return new GgufArray(GgufValueType.FLOAT64, values.clone(), values.length);
    }

    public static GgufArray ofBool(boolean[] values) {
        return new GgufArray(GgufValueType.BOOL, values.clone(), values.length);
    }

    public static GgufArray ofStrings(List<String> values) {
        List<String> copy = List.copyOf(values);
        return new GgufArray(GgufValueType.STRING, copy, copy.size());
    }

    public static GgufArray ofArrays(List<GgufArray> values) {
        List<GgufArray> copy = List.copyOf(values);
        return new GgufArray(GgufValueType.ARRAY, copy, copy.size());
    }

    /** Wraps storage the parser decoded (not copied: the parser hands it over). */
    static GgufArray wrap(GgufValueType elementType, Object storage, int length) {
        return new GgufArray(elementType, storage, length);
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int length() {
        return length;
    }

    /**
     * Element {@code i} boxed: integers as Long (UINT64 as its raw bits), FLOAT32 as Float, FLOAT64 as
     * Double, BOOL as Boolean, STRING as String, ARRAY as GgufArray.
     */
    public Object get(int i) {
        Objects.checkIndex(i, length);
        return switch (elementType) {
            case UINT8 -> (long) (((byte[]) storage)[i] & 0xFF);
            case INT8 -> (long) ((byte[]) storage)[i];
            case UINT16 -> (long) (((short[]) storage)[i] & 0xFFFF);
            case INT16 -> (long) ((short[]) storage)[i];
            case UINT32 -> ((int[]) storage)[i] & 0xFFFF_FFFFL;
            case INT32 -> (long) ((int[]) storage)[i];
            case UINT64, INT64 -> ((long[]) storage)[i];
            case FLOAT32 -> ((float[]) storage)[i];
            case FLOAT64 -> ((double[]) storage)[i];
            case BOOL -> ((boolean[]) storage)[i];
            case STRING, ARRAY -> ((List<?>) storage).get(i);
        };
    }

    /** A copy of the elements in their primitive array, or an unmodifiable list for STRING and ARRAY. */
    public Object values() {
        return switch (storage) {
            case byte[] a -> a.clone();
            case short[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            default -> storage;
        };
    }

    /** The storage itself, for readers inside the package that do not modify it. */
    Object storage() {
        return storage;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other
                && elementType == other.elementType
                && Arrays.deepEquals(new Object[] {storage}, new Object[] {other.storage});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {storage});
    }

    @Override
    public String toString() {
        List<Object> head = new ArrayList<>();
        for (int i = 0; i < Math.min(length, 8); i++) {
            head.add(get(i));
        }
        return elementType + "[" + length + "]" + head + (length > 8 ? "..." : "");
    }
}

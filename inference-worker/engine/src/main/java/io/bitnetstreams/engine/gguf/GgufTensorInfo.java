package io.bitnetstreams.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a GGUF file. {@code dims} are contiguous-first (ne0 = columns, ne1 = rows);
 * {@code offset} is relative to the start of the data section; {@code byteSize} follows from the type.
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
        if (dims.length < 1 || dims.length > 4) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dims, expected 1..4");
        }
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has dims " + Arrays.toString(dims));
            }
        }
    }

    /** A copy of the dims (ne0 first). */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** ne[i], or 1 beyond the stored dims. */
    public long dim(int i) {
        return i < dims.length ? dims[i] : 1;
    }

    public int dimCount() {
        return dims.length;
    }

    /** Product of the dims (checked against overflow when the file was parsed). */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** ne0: elements per row. */
    public int cols() {
        return toInt(dims[0], "ne0");
    }

    /** ne1 for a matrix, 1 for a vector; for 3-d and 4-d tensors the product ne1*ne2*ne3 (ggml rows). */
    public int rows() {
        return toInt(elementCount() / dims[0], "row count");
    }

    private int toInt(long value, String what) {
        if (value > Integer.MAX_VALUE) {
            throw new GgufFormatException("tensor '" + name + "': " + what + " " + value + " exceeds the int range");
        }
        return (int) value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo other
                && name.equals(other.name)
                && type == other.type
                && Arrays.equals(dims, other.dims)
                && offset == other.offset
                && byteSize == other.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset + " (" + byteSize + " bytes)";
    }
}

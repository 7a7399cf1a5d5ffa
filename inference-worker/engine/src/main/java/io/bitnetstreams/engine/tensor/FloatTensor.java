package io.bitnetstreams.engine.tensor;

/**
 * A read-only tensor of real numbers stored in some format (F32, F16, BF16, Q8_0), viewed as a flat
 * array; "row r of width cols" means elements {@code r*cols .. r*cols+cols-1}.
 */
public interface FloatTensor {

    long elementCount();

    /** Element {@code index}, dequantized. */
    float get(long index);

    /** Dequantizes row {@code row} (width {@code cols}) into {@code dst[dstOffset ..]}. */
    void readRow(int row, int cols, float[] dst, int dstOffset);

    /** {@code sum_k row[k] * x[xOffset + k]} over the {@code cols} elements of row {@code row}. */
    float dotRow(int row, int cols, float[] x, int xOffset);
}

package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;
import static io.bitnetstreams.engine.tensor.Layouts.I8;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * llama.cpp TQ1_0: blocks of 256 codes ({@code trit + 1}) in 54 bytes: {@code qs[48]} (5 trits per
 * byte), {@code qh[4]} (4 trits per byte), then f16 {@code d}. A byte's trits are combined base 3, first
 * trit most significant, and stored as {@code ceil(v * 256 / 243)}, so trit n of byte q decodes as
 * {@code ((uint8)(q * 3^n) * 3) >> 8}. {@code qs[m]}, m < 32, holds elements {@code m + 32n} (n = 0..4);
 * {@code qs[32 + m]}, m < 16, holds {@code 160 + m + 16n}; {@code qh[j]} holds {@code 240 + j + 4n}
 * (n = 0..3). Rows are whole blocks; every block with a non-zero trit must share one d.
 */
public final class TQ1_0Tensor implements TernaryWeights {

    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 54;
    private static final int QH_OFFSET = 48;
    private static final int D_OFFSET = 52;
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final float scale;

    private TQ1_0Tensor(MemorySegment data, int rows, int cols, float scale) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
    }

    /**
     * @throws IllegalArgumentException for bad dims or a short segment
     * @throws GgufFormatException if blocks with non-zero trits carry different scales
     */
    public static TQ1_0Tensor of(MemorySegment data, int rows, int cols) {
        long bytes = byteSize(rows, cols);
        Layouts.requireBytes(data, bytes, "TQ1_0 " + rows + " x " + cols);
        byte[] scratch = new byte[BLOCK];
        float scale = BlockScales.commonScale(data, bytes / BLOCK_BYTES, BLOCK_BYTES, D_OFFSET, "TQ1_0", b -> {
            decodeBlock(data, b * BLOCK_BYTES, scratch, 0);
            for (byte c : scratch) {
                if (c != 1) {
                    return false;
                }
            }
            return true;
        });
        return new TQ1_0Tensor(data, rows, cols, scale);
    }

    /** {@code rows * cols/256 * 54}; cols must be a multiple of 256. */
    public static long byteSize(int rows, int cols) {
        long elements = Layouts.ternaryElements(rows, cols, "TQ1_0");
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("TQ1_0 needs cols to be a multiple of 256, got " + cols);
        }
        return elements / BLOCK * BLOCK_BYTES;
    }

    /** Packs all codes (row-major rows x cols, values 0..2) with {@code d = f16(scale)} in every block. */
    public static void pack(byte[] codes, int rows, int cols, float scale, MemorySegment dst) {
        Layouts.requireBytes(dst, byteSize(rows, cols), "TQ1_0 " + rows + " x " + cols);
        packRows(codes, 0, rows, cols, scale, dst, 0);
    }

    /**
     * A GGUF tensor source that packs {@code weights} (any format, or a generator of codes) as TQ1_0 row
     * block by row block, with {@code d = f16(weights.scale())}: {@code byteSize(rows, cols)} bytes with little heap.
     */
    public static GgufWriter.TensorDataSource source(TernaryWeights weights) {
        int cols = weights.cols();
        byteSize(weights.rows(), cols); // validates the shape
        return new PackingSource(weights, 1, n -> byteSize(n, cols),
                (codes, n, c, scale, dst) -> packRows(codes, 0, n, c, scale, dst, 0), new byte[0]);
    }

    /**
     * Packs {@code rowCount} rows from {@code codes[codeOffset ..]} into {@link #byteSize}{@code (rowCount, cols)}
     * bytes at {@code dst[dstOffset ..]} (rows are whole blocks: usable row block by row block).
     */
    public static void packRows(byte[] codes, int codeOffset, int rowCount, int cols, float scale,
                                MemorySegment dst, long dstOffset) {
        long bytes = byteSize(rowCount, cols);
        Layouts.requireCodes(codes, codeOffset, (long) rowCount * cols, "TQ1_0");
        short d = Float.floatToFloat16(scale);
        for (long b = 0; b < bytes / BLOCK_BYTES; b++) {
            int base = codeOffset + (int) (b * BLOCK);
            long at = dstOffset + b * BLOCK_BYTES;
            for (int m = 0; m < 32; m++) {
                dst.set(I8, at + m, encode(codes, base + m, 32, 5));
            }
            for (int m = 0; m < 16; m++) {
                dst.set(I8, at + 32 + m, encode(codes, base + 160 + m, 16, 5));
            }
            for (int j = 0; j < 4; j++) {
                dst.set(I8, at + QH_OFFSET + j, encode(codes, base + 240 + j, 4, 4));
            }
            dst.set(I16, at + D_OFFSET, d);
        }
    }

    /** Base-3 packs {@code n} codes {@code codes[first + stride*i]} (first most significant) into one byte. */
    private static byte encode(byte[] codes, int first, int stride, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = v * 3 + codes[first + stride * i];
        }
        v *= POW3[5 - n]; // qh bytes carry 4 trits: shift the first to the most significant place
        return (byte) ((v * 256 + 242) / 243); // ceil(v * 256 / 243)
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public float scale() {
        return scale;
    }

    @Override
    public void readCodes(int row, byte[] dst, int offset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(offset, cols, dst.length);
        long at = (long) row * (cols / BLOCK) * BLOCK_BYTES;
        for (int k = offset; k < offset + cols; k += BLOCK, at += BLOCK_BYTES) {
            decodeBlock(data, at, dst, k);
        }
    }

    @Override
    public int dotCodes(int row, byte[] q, int qOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(qOffset, cols, q.length);
        int acc = 0;
        long at = (long) row * (cols / BLOCK) * BLOCK_BYTES;
        for (int k = qOffset; k < qOffset + cols; k += BLOCK, at += BLOCK_BYTES) {
            for (int m = 0; m < 32; m++) {
                int v = data.get(I8, at + m) & 0xFF;
                int e = k + m;
                acc += trit(v, 0) * q[e] + trit(v, 1) * q[e + 32] + trit(v, 2) * q[e + 64]
                        + trit(v, 3) * q[e + 96] + trit(v, 4) * q[e + 128];
            }
            for (int m = 0; m < 16; m++) {
                int v = data.get(I8, at + 32 + m) & 0xFF;
                int e = k + 160 + m;
                acc += trit(v, 0) * q[e] + trit(v, 1) * q[e + 16] + trit(v, 2) * q[e + 32]
                        + trit(v, 3) * q[e + 48] + trit(v, 4) * q[e + 64];
            }
            for (int j = 0; j < 4; j++) {
                int v = data.get(I8, at + QH_OFFSET + j) & 0xFF;
                int e = k + 240 + j;
                acc += trit(v, 0) * q[e] + trit(v, 1) * q[e + 4] + trit(v, 2) * q[e + 8] + trit(v, 3) * q[e + 12];
            }
        }
        return acc;
    }

    /** Trit n (0 = most significant) of a packed byte: {@code ((uint8)(v * 3^n) * 3) >> 8}, in 0..2. */
    private static int trit(int v, int n) {
        return (((v * POW3[n]) & 0xFF) * 3) >> 8;
    }

    private static void decodeBlock(MemorySegment data, long at, byte[] dst, int k) {
        for (int m = 0; m < 32; m++) {
            int v = data.get(I8, at + m) & 0xFF;
            for (int n = 0; n < 5; n++) {
                dst[k + m + 32 * n] = (byte) trit(v, n);
            }
        }
        for (int m = 0; m < 16; m++) {
            int v = data.get(I8, at + 32 + m) & 0xFF;
            for (int n = 0; n < 5; n++) {
                dst[k + 160 + m + 16 * n] = (byte) trit(v, n);
            }
        }
        for (int j = 0; j < 4; j++) {
            int v = data.get(I8, at + QH_OFFSET + j) & 0xFF;
            for (int n = 0; n < 4; n++) {
                dst[k + 240 + j + 4 * n] = (byte) trit(v, n);
            }
        }
    }
}

package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.I16;
import static io.bitnetstreams.engine.tensor.Layouts.I64;
import static io.bitnetstreams.engine.tensor.Layouts.I8;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * llama.cpp TQ2_0: blocks of 256 codes ({@code trit + 1}) in 66 bytes, {@code qs[64]} then f16
 * {@code d}. In each 32-byte half h, byte m holds elements {@code 128h + m + 32l} at bits {@code 2l}
 * (l = 0..3, least significant first). Rows are whole blocks (cols a multiple of 256). Every block with
 * a non-zero trit must share one d, which becomes {@link #scale()}.
 */
public final class TQ2_0Tensor implements TernaryWeights {

    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 66;
    private static final int D_OFFSET = 64;
    /** A qs byte of four zero trits (code 1 in every 2-bit field). */
    private static final int ALL_ZERO_TRITS = 0x55;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final float scale;

    private TQ2_0Tensor(MemorySegment data, int rows, int cols, float scale) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
    }

    /**
     * @throws IllegalArgumentException for bad dims or a short segment
     * @throws GgufFormatException if blocks with non-zero trits carry different scales
     */
    public static TQ2_0Tensor of(MemorySegment data, int rows, int cols) {
        long bytes = byteSize(rows, cols);
        Layouts.requireBytes(data, bytes, "TQ2_0 " + rows + " x " + cols);
        long blocks = bytes / BLOCK_BYTES;
        float scale = BlockScales.commonScale(data, blocks, BLOCK_BYTES, D_OFFSET, "TQ2_0",
                b -> allZeroTrits(data, b * BLOCK_BYTES));
        return new TQ2_0Tensor(data, rows, cols, scale);
    }

    /** {@code rows * cols/256 * 66}; cols must be a multiple of 256. */
    public static long byteSize(int rows, int cols) {
        long elements = Layouts.ternaryElements(rows, cols, "TQ2_0");
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("TQ2_0 needs cols to be a multiple of 256, got " + cols);
        }
        return elements / BLOCK * BLOCK_BYTES;
    }

    /** Packs all codes (row-major rows x cols, values 0..2) with {@code d = f16(scale)} in every block. */
    public static void pack(byte[] codes, int rows, int cols, float scale, MemorySegment dst) {
        Layouts.requireBytes(dst, byteSize(rows, cols), "TQ2_0 " + rows + " x " + cols);
        packRows(codes, 0, rows, cols, scale, dst, 0);
    }

    /**
     * A GGUF tensor source that packs {@code weights} (any format, or a generator of codes) as TQ2_0 row
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
     * bytes at {@code dst[dstOffset ..]}: rows are whole blocks, so a big tensor can be written row block
     * by row block.
     */
    public static void packRows(byte[] codes, int codeOffset, int rowCount, int cols, float scale,
                                MemorySegment dst, long dstOffset) {
        long bytes = byteSize(rowCount, cols);
        long count = (long) rowCount * cols;
        Layouts.requireCodes(codes, codeOffset, count, "TQ2_0");
        short d = Float.floatToFloat16(scale);
        for (long b = 0; b < bytes / BLOCK_BYTES; b++) {
            int base = codeOffset + (int) (b * BLOCK);
            long at = dstOffset + b * BLOCK_BYTES;
            for (int h = 0; h < 2; h++) {
                for (int m = 0; m < 32; m++) {
                    int e = base + 128 * h + m;
                    int v = codes[e] | codes[e + 32] << 2 | codes[e + 64] << 4 | codes[e + 96] << 6;
                    dst.set(I8, at + 32 * h + m, (byte) v);
                }
            }
            dst.set(I16, at + D_OFFSET, d);
        }
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
            for (int h = 0; h < 2; h++) {
                for (int m = 0; m < 32; m++) {
                    int v = data.get(I8, at + 32 * h + m);
                    int e = k + 128 * h + m;
                    dst[e] = (byte) (v & 3);
                    dst[e + 32] = (byte) ((v >> 2) & 3);
                    dst[e + 64] = (byte) ((v >> 4) & 3);
                    dst[e + 96] = (byte) ((v >> 6) & 3);
                }
            }
        }
    }

    @Override
    public int dotCodes(int row, byte[] q, int qOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(qOffset, cols, q.length);
        int acc = 0;
        long at = (long) row * (cols / BLOCK) * BLOCK_BYTES;
        for (int k = qOffset; k < qOffset + cols; k += BLOCK, at += BLOCK_BYTES) {
            for (int h = 0; h < 2; h++) {
                // 8 qs bytes per read; byte i of the word holds elements m+i, +32, +64, +96 of the half
                for (int m = 0; m < 32; m += 8) {
                    long word = data.get(I64, at + 32 * h + m);
                    for (int i = 0; i < 8; i++) {
                        int v = (int) (word >>> (8 * i));
                        int e = k + 128 * h + m + i;
                        acc += (v & 3) * q[e] + ((v >> 2) & 3) * q[e + 32]
                                + ((v >> 4) & 3) * q[e + 64] + ((v >> 6) & 3) * q[e + 96];
                    }
                }
            }
        }
        return acc;
    }

    private static boolean allZeroTrits(MemorySegment data, long blockStart) {
        for (int i = 0; i < D_OFFSET; i++) {
            if ((data.get(I8, blockStart + i) & 0xFF) != ALL_ZERO_TRITS) {
                return false;
            }
        }
        return true;
    }
}

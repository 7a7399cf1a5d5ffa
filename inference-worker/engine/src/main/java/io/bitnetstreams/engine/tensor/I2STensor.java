package io.bitnetstreams.engine.tensor;

import static io.bitnetstreams.engine.tensor.Layouts.F32;
import static io.bitnetstreams.engine.tensor.Layouts.I64;
import static io.bitnetstreams.engine.tensor.Layouts.I8;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * I2_S as bitnet.cpp writes it on x86 (the official files): the M x K codes ({@code trit + 1}) run
 * flat in blocks of 128 elements per 32 bytes, byte p of a block holding elements p, p+32, p+64,
 * p+96 in bits 7:6, 5:4, 3:2, 1:0; after the {@code M*K/4} packed bytes a 32-byte trailer starts with
 * the little-endian f32 per-tensor scale (the other 28 bytes are ignored).
 */
public final class I2STensor implements TernaryWeights {

    public static final int BLOCK = 128;
    public static final int BLOCK_BYTES = 32;
    public static final int TRAILER_BYTES = 32;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final float scale;

    private I2STensor(MemorySegment data, int rows, int cols, float scale) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
    }

    /**
     * @throws IllegalArgumentException for bad dims or a short segment
     * @throws GgufFormatException if the stored scale is not finite
     */
    public static I2STensor of(MemorySegment data, int rows, int cols) {
        long bytes = byteSize(rows, cols);
        Layouts.requireBytes(data, bytes, "I2_S " + rows + " x " + cols);
        long scaleAt = bytes - TRAILER_BYTES;
        float scale = data.get(F32, scaleAt);
        if (!Float.isFinite(scale)) {
            throw new GgufFormatException("I2_S scale at byte offset " + scaleAt + " is " + scale);
        }
        return new I2STensor(data, rows, cols, scale);
    }

    /** {@code rows*cols/4 + 32}; rows*cols must be a multiple of 128. */
    public static long byteSize(int rows, int cols) {
        long elements = Layouts.ternaryElements(rows, cols, "I2_S");
        if (elements % BLOCK != 0) {
            throw new IllegalArgumentException("I2_S needs rows*cols to be a multiple of 128, got " + rows + " x " + cols);
        }
        return elements / 4 + TRAILER_BYTES;
    }

    /** Packs all codes (row-major rows x cols, values 0..2) and the scale trailer into {@code dst}. */
    public static void pack(byte[] codes, int rows, int cols, float scale, MemorySegment dst) {
        long bytes = byteSize(rows, cols);
        Layouts.requireBytes(dst, bytes, "I2_S " + rows + " x " + cols);
        packRows(codes, 0, rows, cols, dst, 0);
        writeTrailer(scale, dst, bytes - TRAILER_BYTES);
    }

    /**
     * Packs {@code rowCount} rows of codes starting at {@code codes[codeOffset]} to {@code dst[dstOffset ..]}
     * ({@code rowCount*cols/4} bytes), for writing a big tensor row block by row block. Row block
     * {@code r0} belongs at byte {@code r0*cols/4} of the tensor; {@code rowCount*cols} must be a
     * multiple of 128 and so must the elements before it.
     */
    public static void packRows(byte[] codes, int codeOffset, int rowCount, int cols, MemorySegment dst, long dstOffset) {
        long count = Layouts.ternaryElements(rowCount, cols, "I2_S");
        if (count % BLOCK != 0) {
            throw new IllegalArgumentException("I2_S packs whole 128-element blocks, got " + rowCount + " x " + cols);
        }
        Layouts.requireCodes(codes, codeOffset, count, "I2_S");
        for (long b = 0; b < count / BLOCK; b++) {
            int base = codeOffset + (int) (b * BLOCK);
            long at = dstOffset + b * BLOCK_BYTES;
            for (int p = 0; p < BLOCK_BYTES; p++) {
                int v = codes[base + p] << 6 | codes[base + 32 + p] << 4 | codes[base + 64 + p] << 2 | codes[base + 96 + p];
                dst.set(I8, at + p, (byte) v);
            }
        }
    }

    /**
     * A GGUF tensor source that packs {@code weights} (any format, or a generator of codes) as I2_S
     * row block by row block, scale trailer last: {@code byteSize(rows, cols)} bytes with little heap.
     */
    public static GgufWriter.TensorDataSource source(TernaryWeights weights) {
        int rows = weights.rows();
        int cols = weights.cols();
        byteSize(rows, cols); // validates the shape
        byte[] trailer = new byte[TRAILER_BYTES];
        writeTrailer(weights.scale(), MemorySegment.ofArray(trailer), 0);
        int rowMultiple = BLOCK / gcd(cols, BLOCK); // row blocks must hold whole 128-element blocks
        return new PackingSource(weights, rowMultiple, n -> (long) n * cols / 4,
                (codes, n, c, scale, dst) -> packRows(codes, 0, n, c, dst, 0), trailer);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Writes the 32-byte trailer (LE f32 scale, then 28 zero bytes) at {@code dst[dstOffset ..]}. */
    public static void writeTrailer(float scale, MemorySegment dst, long dstOffset) {
        dst.asSlice(dstOffset, TRAILER_BYTES).fill((byte) 0);
        dst.set(F32, dstOffset, scale);
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
        if (cols % BLOCK != 0) {
            long first = (long) row * cols;
            for (int k = 0; k < cols; k++) {
                dst[offset + k] = (byte) code(first + k);
            }
            return;
        }
        long at = (long) row * (cols / 4);
        for (int k = 0; k < cols; k += BLOCK, at += BLOCK_BYTES) {
            for (int p = 0; p < BLOCK_BYTES; p++) {
                int v = data.get(I8, at + p);
                dst[offset + k + p] = (byte) ((v >> 6) & 3);
                dst[offset + k + 32 + p] = (byte) ((v >> 4) & 3);
                dst[offset + k + 64 + p] = (byte) ((v >> 2) & 3);
                dst[offset + k + 96 + p] = (byte) (v & 3);
            }
        }
    }

    @Override
    public int dotCodes(int row, byte[] q, int qOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(qOffset, cols, q.length);
        if (cols % BLOCK != 0) {
            long first = (long) row * cols;
            int acc = 0;
            for (int k = 0; k < cols; k++) {
                acc += code(first + k) * q[qOffset + k];
            }
            return acc;
        }
        int acc = 0;
        long at = (long) row * (cols / 4);
        for (int k = qOffset; k < qOffset + cols; k += BLOCK, at += BLOCK_BYTES) {
            // 8 packed bytes per read; byte i of the word holds elements p+i, +32, +64, +96
            for (int p = 0; p < BLOCK_BYTES; p += 8) {
                long word = data.get(I64, at + p);
                for (int i = 0; i < 8; i++) {
                    int v = (int) (word >>> (8 * i));
                    int e = k + p + i;
                    acc += ((v >> 6) & 3) * q[e] + ((v >> 4) & 3) * q[e + 32]
                            + ((v >> 2) & 3) * q[e + 64] + (v & 3) * q[e + 96];
                }
            }
        }
        return acc;
    }

    /** Code of flat element {@code e} (any row width). */
    private int code(long e) {
        long block = e / BLOCK;
        int j = (int) (e % BLOCK);
        int v = data.get(I8, block * BLOCK_BYTES + (j & 31));
        return (v >> (6 - 2 * (j >> 5))) & 3;
    }
}

package io.bitnetstreams.engine.tensor;

import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.IntToLongFunction;

/**
 * Streams a ternary tensor into a GGUF file row block by row block: codes are read from any
 * {@link TernaryWeights} (a generator, or a tensor in another format) and packed into a small buffer,
 * so a tensor of any size is written with about a megabyte of heap.
 */
final class PackingSource implements GgufWriter.TensorDataSource {

    /** Packs {@code rowCount} rows of codes into {@code dst} at offset 0. */
    interface RowPacker {
        void packRows(byte[] codes, int rowCount, int cols, float scale, MemorySegment dst);
    }

    private static final int TARGET_CODES = 1 << 20;

    private final TernaryWeights weights;
    private final int rowsPerBlock;
    private final IntToLongFunction bytesPerRows;
    private final RowPacker packer;
    private final byte[] trailer;

    /**
     * @param rowMultiple row blocks are a multiple of this many rows (I2_S: whole 128-element blocks)
     * @param bytesPerRows packed bytes of a given number of rows
     * @param trailer bytes written after all rows (I2_S scale trailer), or empty
     */
    PackingSource(TernaryWeights weights, int rowMultiple, IntToLongFunction bytesPerRows,
                  RowPacker packer, byte[] trailer) {
        this.weights = weights;
        int rows = Math.max(rowMultiple, TARGET_CODES / weights.cols() / rowMultiple * rowMultiple);
        this.rowsPerBlock = Math.min(rows, roundUp(weights.rows(), rowMultiple));
        this.bytesPerRows = bytesPerRows;
        this.packer = packer;
        this.trailer = trailer.clone();
    }

    private static int roundUp(int value, int multiple) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) value + multiple - 1) / multiple * multiple);
    }

    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
        int cols = weights.cols();
        byte[] codes = new byte[Math.multiplyExact(rowsPerBlock, cols)];
        byte[] packed = new byte[Math.toIntExact(bytesPerRows.applyAsLong(rowsPerBlock))];
        MemorySegment dst = MemorySegment.ofArray(packed);
        for (int r0 = 0; r0 < weights.rows(); r0 += rowsPerBlock) {
            int n = Math.min(rowsPerBlock, weights.rows() - r0);
            for (int r = 0; r < n; r++) {
                weights.readCodes(r0 + r, codes, r * cols);
            }
            packer.packRows(codes, n, cols, weights.scale(), dst);
            write(out, ByteBuffer.wrap(packed, 0, Math.toIntExact(bytesPerRows.applyAsLong(n))));
        }
        write(out, ByteBuffer.wrap(trailer));
    }

    private static void write(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}

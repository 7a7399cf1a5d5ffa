package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackingSourceTest {

    /** Codes from a formula: a generator such as a synthetic-model writer would use. */
    record Generated(int rows, int cols, float scale) implements TernaryWeights {
        static int code(int row, int k) {
            return Math.floorMod(row * 7919 + k * 104729 + (row ^ k), 3);
        }

        @Override
        public void readCodes(int row, byte[] dst, int offset) {
            for (int k = 0; k < cols; k++) dst[offset + k] = (byte) code(row, k);
        }
    }

    private static void assertCodes(TernaryWeights w, Generated expected) {
        assertThat(w.rows()).isEqualTo(expected.rows());
        assertThat(w.cols()).isEqualTo(expected.cols());
        assertThat(w.scale()).isEqualTo(expected.scale());
        byte[] row = new byte[expected.cols()];
        for (int m = 0; m < expected.rows(); m++) {
            w.readCodes(m, row, 0);
            for (int k = 0; k < row.length; k++) {
                if (row[k] != Generated.code(m, k)) {
                    assertThat(row[k]).as("row %d col %d", m, k).isEqualTo((byte) Generated.code(m, k));
                }
            }
        }
    }

    @Test
    void streamsEveryFormatInRowBlocks(@TempDir Path dir) {
        // 5000 x 256 = 1.28 M codes: two row blocks of about a million codes, the second one partial
        Generated big = new Generated(5000, 256, 0.5f);
        Generated narrow = new Generated(6, 64, 1.75f); // I2_S blocks run across rows
        Path path = dir.resolve("streamed.gguf");
        new GgufWriter()
                .addTensor("i2s", GgmlType.I2_S, new long[] {256, 5000}, I2STensor.source(big))
                .addTensor("tq2", GgmlType.TQ2_0, new long[] {256, 5000}, TQ2_0Tensor.source(big))
                .addTensor("tq1", GgmlType.TQ1_0, new long[] {256, 5000}, TQ1_0Tensor.source(big))
                .addTensor("narrow", GgmlType.I2_S, new long[] {64, 6}, I2STensor.source(narrow))
                .write(path);
        try (GgufFile file = GgufFile.open(path)) {
            assertCodes(Tensors.ternary(file.tensor("i2s"), file.tensorData(file.tensor("i2s"))), big);
            assertCodes(Tensors.ternary(file.tensor("tq2"), file.tensorData(file.tensor("tq2"))), big);
            assertCodes(Tensors.ternary(file.tensor("tq1"), file.tensorData(file.tensor("tq1"))), big);
            assertCodes(Tensors.ternary(file.tensor("narrow"), file.tensorData(file.tensor("narrow"))), narrow);

            // streamed bytes equal packing the whole tensor at once
            byte[] codes = new byte[6 * 64];
            for (int m = 0; m < 6; m++) narrow.readCodes(m, codes, m * 64);
            byte[] whole = new byte[(int) I2STensor.byteSize(6, 64)];
            I2STensor.pack(codes, 6, 64, 1.75f, MemorySegment.ofArray(whole));
            assertThat(file.tensorData(file.tensor("narrow")).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(whole);
        }
    }

    @Test
    void convertsBetweenFormats(@TempDir Path dir) {
        Generated source = new Generated(3, 512, 2f);
        byte[] tq2 = new byte[(int) TQ2_0Tensor.byteSize(3, 512)];
        byte[] codes = new byte[3 * 512];
        for (int m = 0; m < 3; m++) source.readCodes(m, codes, m * 512);
        TQ2_0Tensor.pack(codes, 3, 512, 2f, MemorySegment.ofArray(tq2));
        TernaryWeights fromTq2 = TQ2_0Tensor.of(MemorySegment.ofArray(tq2), 3, 512);
        Path path = dir.resolve("converted.gguf");
        new GgufWriter().addTensor("w", GgmlType.I2_S, new long[] {512, 3}, I2STensor.source(fromTq2)).write(path);
        try (GgufFile file = GgufFile.open(path)) {
            assertCodes(Tensors.ternary(file.tensor("w"), file.tensorData(file.tensor("w"))), source);
        }
    }
}

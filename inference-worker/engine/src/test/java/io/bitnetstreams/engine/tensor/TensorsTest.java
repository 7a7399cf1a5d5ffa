package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorsTest {

    private static GgufTensorInfo info(String name, GgmlType type, long... dims) {
        long elements = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        return new GgufTensorInfo(name, type, dims, 0, type.byteSize(elements));
    }

    private static MemorySegment zeros(GgufTensorInfo info) {
        return MemorySegment.ofArray(new byte[(int) info.byteSize()]);
    }

    @Test
    void picksTheFormatOfEachType() {
        GgufTensorInfo f16 = info("emb", GgmlType.F16, 4, 2);
        assertThat(Tensors.floating(f16, zeros(f16))).isInstanceOf(F16Tensor.class);
        GgufTensorInfo f32 = info("norm", GgmlType.F32, 4);
        assertThat(Tensors.floating(f32, zeros(f32))).isInstanceOf(F32Tensor.class);
        GgufTensorInfo bf16 = info("b", GgmlType.BF16, 4);
        assertThat(Tensors.floating(bf16, zeros(bf16))).isInstanceOf(BF16Tensor.class);
        GgufTensorInfo q8 = info("q", GgmlType.Q8_0, 64);
        assertThat(Tensors.floating(q8, zeros(q8))).isInstanceOf(Q8_0Tensor.class);
        GgufTensorInfo i2s = info("w", GgmlType.I2_S, 128, 3);
        TernaryWeights w = Tensors.ternary(i2s, zeros(i2s));
        assertThat(w).isInstanceOf(I2STensor.class);
        assertThat(w.rows()).isEqualTo(3);
        assertThat(w.cols()).isEqualTo(128);
        GgufTensorInfo tq2 = info("w2", GgmlType.TQ2_0, 256, 2);
        assertThat(Tensors.ternary(tq2, zeros(tq2))).isInstanceOf(TQ2_0Tensor.class);
        GgufTensorInfo tq1 = info("w1", GgmlType.TQ1_0, 256, 2);
        assertThat(Tensors.ternary(tq1, zeros(tq1))).isInstanceOf(TQ1_0Tensor.class);
    }

    @Test
    void wrongRolesAndUnsupportedTypesAreNamed() {
        GgufTensorInfo f16 = info("token_embd.weight", GgmlType.F16, 128, 2);
        assertThatThrownBy(() -> Tensors.ternary(f16, zeros(f16))).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("token_embd.weight", "F16", "ternary");
        GgufTensorInfo i2s = info("blk.0.attn_q.weight", GgmlType.I2_S, 128, 2);
        assertThatThrownBy(() -> Tensors.floating(i2s, zeros(i2s))).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("blk.0.attn_q.weight", "I2_S", "float");
        GgufTensorInfo q6 = info("output.weight", GgmlType.Q6_K, 256, 2);
        assertThatThrownBy(() -> Tensors.floating(q6, zeros(q6))).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("output.weight", "Q6_K", "id 14", "does not support");
        assertThatThrownBy(() -> Tensors.ternary(q6, zeros(q6))).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("Q6_K", "does not support");
        GgufTensorInfo f32 = info("n", GgmlType.F32, 4);
        assertThatThrownBy(() -> Tensors.floating(f32, MemorySegment.ofArray(new byte[12])))
                .isInstanceOf(GgufFormatException.class).hasMessageContainingAll("'n'", "12 bytes", "16");
    }

    @Test
    void formatProblemsNameTheTensor() {
        GgufTensorInfo tq2 = info("blk.3.ffn_up.weight", GgmlType.TQ2_0, 512);
        byte[] data = new byte[132];
        System.arraycopy(TQ2_0TensorTest.EXPECTED, 0, data, 0, 66);
        System.arraycopy(TQ2_0TensorTest.EXPECTED, 0, data, 66, 66);
        data[131] = 0x3C;
        assertThatThrownBy(() -> Tensors.ternary(tq2, MemorySegment.ofArray(data))).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("blk.3.ffn_up.weight", "block 1", "one scale per tensor");
        GgufTensorInfo odd = info("blk.0.attn_k.weight", GgmlType.I2_S, 64, 2); // 128 elements, flat blocks
        assertThat(Tensors.ternary(odd, zeros(odd)).cols()).isEqualTo(64);
    }

    @Test
    void loadsPackedWeightsFromAWrittenFile(@TempDir Path dir) {
        Random random = new Random(12);
        int rows = 5;
        int cols = 256;
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) random.nextInt(3);
        byte[] i2s = new byte[(int) I2STensor.byteSize(rows, cols)];
        I2STensor.pack(codes, rows, cols, 1.25f, MemorySegment.ofArray(i2s));
        byte[] tq1 = new byte[(int) TQ1_0Tensor.byteSize(rows, cols)];
        TQ1_0Tensor.pack(codes, rows, cols, 1.25f, MemorySegment.ofArray(tq1));
        Path path = dir.resolve("m.gguf");
        new GgufWriter()
                .addTensor("a", GgmlType.I2_S, new long[] {cols, rows}, GgufWriter.TensorDataSource.ofBytes(i2s))
                .addTensor("b", GgmlType.TQ1_0, new long[] {cols, rows}, GgufWriter.TensorDataSource.ofBytes(tq1))
                .write(path);
        try (GgufFile file = GgufFile.open(path)) {
            TernaryWeights a = Tensors.ternary(file.tensor("a"), file.tensorData(file.tensor("a")));
            TernaryWeights b = Tensors.ternary(file.tensor("b"), file.tensorData(file.tensor("b")));
            byte[] q = new byte[cols];
            random.nextBytes(q);
            byte[] rowA = new byte[cols];
            byte[] rowB = new byte[cols];
            for (int m = 0; m < rows; m++) {
                a.readCodes(m, rowA, 0);
                b.readCodes(m, rowB, 0);
                assertThat(rowA).isEqualTo(Arrays.copyOfRange(codes, m * cols, (m + 1) * cols)).isEqualTo(rowB);
                assertThat(a.dotCodes(m, q, 0)).isEqualTo(b.dotCodes(m, q, 0));
            }
            assertThat(a.scale()).isEqualTo(b.scale()).isEqualTo(1.25f);
        }
    }
}

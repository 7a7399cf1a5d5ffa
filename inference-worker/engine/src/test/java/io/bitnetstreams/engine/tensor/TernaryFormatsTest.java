package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.kernel.ScalarKernels;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Behaviour every ternary format shares: pack/read round trips and exact in-place dot products. */
class TernaryFormatsTest {

    /** One format's static API, so the same checks run on all three. */
    record Format(String name, int colMultiple, Sizer sizer, Packer packer, Opener opener) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Sizer {
        long byteSize(int rows, int cols);
    }

    interface Packer {
        void pack(byte[] codes, int rows, int cols, float scale, MemorySegment dst);
    }

    interface Opener {
        TernaryWeights of(MemorySegment data, int rows, int cols);
    }

    static Stream<Format> formats() {
        return Stream.of(
                new Format("I2_S", 128, I2STensor::byteSize, I2STensor::pack, I2STensor::of),
                new Format("TQ2_0", 256, TQ2_0Tensor::byteSize, TQ2_0Tensor::pack, TQ2_0Tensor::of),
                new Format("TQ1_0", 256, TQ1_0Tensor::byteSize, TQ1_0Tensor::pack, TQ1_0Tensor::of));
    }

    private static byte[] randomCodes(Random random, int n) {
        byte[] codes = new byte[n];
        for (int i = 0; i < n; i++) codes[i] = (byte) random.nextInt(3);
        return codes;
    }

    private static TernaryWeights packed(Format f, byte[] codes, int rows, int cols, float scale) {
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) f.sizer().byteSize(rows, cols)]);
        f.packer().pack(codes, rows, cols, scale, seg);
        return f.opener().of(seg, rows, cols);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void packedCodesReadBackExactly(Format f) {
        Random random = new Random(f.name().hashCode());
        int rows = 7;
        int cols = 3 * f.colMultiple();
        byte[] codes = randomCodes(random, rows * cols);
        TernaryWeights w = packed(f, codes, rows, cols, 1.5f);
        assertThat(w.rows()).isEqualTo(rows);
        assertThat(w.cols()).isEqualTo(cols);
        assertThat(w.scale()).isEqualTo(1.5f);
        byte[] row = new byte[cols + 5];
        for (int m = 0; m < rows; m++) {
            w.readCodes(m, row, 5);
            assertThat(Arrays.copyOfRange(row, 5, cols + 5)).isEqualTo(Arrays.copyOfRange(codes, m * cols, (m + 1) * cols));
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void everyCodeAtEveryPositionSurvives(Format f) {
        // each position of a block holds each code once across three tensors
        int cols = f.colMultiple();
        for (int shift = 0; shift < 3; shift++) {
            byte[] codes = new byte[2 * cols];
            for (int i = 0; i < codes.length; i++) codes[i] = (byte) ((i + shift) % 3);
            TernaryWeights w = packed(f, codes, 2, cols, 2f);
            byte[] back = new byte[cols];
            for (int m = 0; m < 2; m++) {
                w.readCodes(m, back, 0);
                assertThat(back).isEqualTo(Arrays.copyOfRange(codes, m * cols, (m + 1) * cols));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void dotCodesEqualsTheScalarReference(Format f) {
        Random random = new Random(99);
        for (int trial = 0; trial < 20; trial++) {
            int rows = 1 + random.nextInt(6);
            int cols = f.colMultiple() * (1 + random.nextInt(5)); // rows spanning several blocks
            byte[] codes = randomCodes(random, rows * cols);
            TernaryWeights w = packed(f, codes, rows, cols, 0.75f);
            int qOffset = random.nextInt(40);
            byte[] q = new byte[qOffset + cols];
            random.nextBytes(q); // the full int8 range, including -128
            if (trial == 0) Arrays.fill(q, (byte) -128); // extreme activations
            byte[] row = new byte[cols];
            for (int m = 0; m < rows; m++) {
                w.readCodes(m, row, 0);
                assertThat(w.dotCodes(m, q, qOffset)).as("row %d of %d x %d", m, rows, cols)
                        .isEqualTo(ScalarKernels.dot(row, 0, q, qOffset, cols));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void packingRowBlocksMatchesPackingTheWholeTensor(Format f) {
        Random random = new Random(5);
        int rows = 6;
        int cols = 2 * f.colMultiple();
        byte[] codes = randomCodes(random, rows * cols);
        byte[] whole = new byte[(int) f.sizer().byteSize(rows, cols)];
        f.packer().pack(codes, rows, cols, 3f, MemorySegment.ofArray(whole));
        byte[] pieces = new byte[whole.length];
        MemorySegment dst = MemorySegment.ofArray(pieces);
        for (int r0 = 0; r0 < rows; r0 += 2) {
            long at = f.sizer().byteSize(rows, cols) / rows * r0; // TQ rows are whole blocks of equal size
            switch (f.name()) {
                case "I2_S" -> I2STensor.packRows(codes, r0 * cols, 2, cols, dst, (long) r0 * cols / 4);
                case "TQ2_0" -> TQ2_0Tensor.packRows(codes, r0 * cols, 2, cols, 3f, dst, at);
                default -> TQ1_0Tensor.packRows(codes, r0 * cols, 2, cols, 3f, dst, at);
            }
        }
        if (f.name().equals("I2_S")) I2STensor.writeTrailer(3f, dst, (long) rows * cols / 4);
        assertThat(pieces).isEqualTo(whole);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void rejectsBadInput(Format f) {
        int cols = f.colMultiple();
        byte[] codes = new byte[cols];
        codes[7] = 3;
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) f.sizer().byteSize(1, cols)]);
        assertThatThrownBy(() -> f.packer().pack(codes, 1, cols, 1f, seg))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 7");
        assertThatThrownBy(() -> f.opener().of(seg.asSlice(1), 1, cols)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.sizer().byteSize(0, cols)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.sizer().byteSize(1, 100)).isInstanceOf(IllegalArgumentException.class);
        TernaryWeights w = f.opener().of(seg, 1, cols);
        assertThatThrownBy(() -> w.readCodes(1, new byte[cols], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> w.dotCodes(0, new byte[cols - 1], 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void dequantizedWeightIsTritTimesScale(Format f) {
        // the BitNet identity the kernels rely on: (D - S) * scale = sum trit * q * scale
        Random random = new Random(8);
        int cols = f.colMultiple();
        byte[] codes = randomCodes(random, cols);
        TernaryWeights w = packed(f, codes, 1, cols, 0.5f);
        byte[] q = new byte[cols];
        random.nextBytes(q);
        int s = 0;
        int tritDot = 0;
        for (int k = 0; k < cols; k++) {
            s += q[k];
            tritDot += (codes[k] - 1) * q[k];
        }
        assertThat(w.dotCodes(0, q, 0) - s).isEqualTo(tritDot);
        assertThat(w.scale()).isEqualTo(0.5f);
    }

    static void assertFormatError(Runnable r, String... fragments) {
        assertThatThrownBy(r::run).isInstanceOf(GgufFormatException.class).hasMessageContainingAll(fragments);
    }
}

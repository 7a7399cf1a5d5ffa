package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatFormatsTest {

    private static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] literal(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }

    @Test
    void f32HandBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[8]);
        F32Tensor.pack(new float[] {1f, -2.5f}, 0, 2, seg, 0);
        // 1.0f = 0x3F800000, -2.5f = 0xC0200000, little-endian
        assertThat(bytes(seg)).isEqualTo(literal(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0));
        F32Tensor t = F32Tensor.of(seg, 2);
        assertThat(t.get(0)).isEqualTo(1f);
        assertThat(t.get(1)).isEqualTo(-2.5f);
    }

    @Test
    void f16HandBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[12]);
        F16Tensor.pack(new float[] {1f, -2f, 0.5f, 65504f, 1f / 3, 0x1p-24f}, 0, 6, seg, 0);
        // sign|5-bit exponent (bias 15)|10-bit mantissa: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800,
        // max finite 65504 = 0x7BFF, 1/3 = 1.0101010101b x 2^-2 = 0x3555, smallest subnormal 2^-24 = 0x0001
        assertThat(bytes(seg)).isEqualTo(literal(0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B, 0x55, 0x35, 0x01, 0x00));
        F16Tensor t = F16Tensor.of(seg, 6);
        assertThat(t.get(3)).isEqualTo(65504f);
        assertThat(t.get(5)).isEqualTo(0x1p-24f);
    }

    @Test
    void bf16HandBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        // pi = 0x40490FDB (low half below 0x8000: truncates to 0x4049); 1.00390625 = 0x3F808000 is a tie
        // with an even upper half (stays 0x3F80); 1.01171875 = 0x3F818000 is a tie with an odd one (-> 0x3F82)
        BF16Tensor.pack(new float[] {1f, -2f, (float) Math.PI, 1.00390625f, 1.01171875f}, 0, 5, seg, 0);
        assertThat(bytes(seg)).isEqualTo(literal(0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40, 0x80, 0x3F, 0x82, 0x3F));
        assertThat(BF16Tensor.of(seg, 5).get(4)).isEqualTo(1.015625f);
        assertThat(BF16Tensor.decode(BF16Tensor.encode(Float.NaN))).isNaN();
    }

    @Test
    void q8_0HandBytes() {
        float[] x = new float[32];
        // max |x| = 127 so d = 1 (f16 0x3C00) and q = roundf(x): halves go away from zero
        x[0] = 127;
        x[1] = -127;
        x[2] = 0.5f;
        x[3] = -0.5f;
        x[4] = 2.5f;
        x[5] = -2.5f;
        for (int j = 6; j < 32; j++) x[j] = j - 20;
        MemorySegment seg = MemorySegment.ofArray(new byte[34]);
        Q8_0Tensor.quantize(x, 0, 32, seg, 0);
        assertThat(bytes(seg)).isEqualTo(literal(
                0x00, 0x3C, // d = 1.0 as f16
                0x7F, 0x81, 0x01, 0xFF, 0x03, 0xFD, // 127, -127, 1, -1, 3, -3
                0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, // -14 .. -1
                0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B)); // 0 .. 11
        Q8_0Tensor t = Q8_0Tensor.of(seg, 32);
        assertThat(t.get(3)).isEqualTo(-1f);
        assertThat(t.get(31)).isEqualTo(11f);
    }

    @Test
    void q8_0QuantizesWithinHalfAStep() {
        Random random = new Random(3);
        int n = 32 * 20;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian() * (1 + i / 32);
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) Q8_0Tensor.byteSize(n)]);
        Q8_0Tensor.quantize(x, 0, n, seg, 0);
        Q8_0Tensor t = Q8_0Tensor.of(seg, n);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            float step = amax / 127;
            for (int j = 0; j < 32; j++) {
                assertThat(t.get(b * 32 + j)).isCloseTo(x[b * 32 + j], within(step * 0.6f));
            }
        }
    }

    interface Packer {
        void pack(float[] src, int off, int count, MemorySegment dst, long dstOff);
    }

    interface Opener {
        FloatTensor of(MemorySegment data, long elements);
    }

    private static void checkRowsAndDots(Packer packer, Opener opener, int bytesPerBlock, int blockSize) {
        Random random = new Random(42);
        int rows = 5;
        int cols = 96;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate((long) x.length / blockSize * bytesPerBlock + 8);
            packer.pack(x, 0, x.length, seg, 8); // packing at an offset, as a row-block writer does
            FloatTensor t = opener.of(seg.asSlice(8), x.length);
            assertThat(t.elementCount()).isEqualTo(x.length);
            float[] v = new float[cols + 3];
            float[] in = new float[cols + 1];
            for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
            for (int r = 0; r < rows; r++) {
                t.readRow(r, cols, v, 3);
                double expected = 0;
                for (int k = 0; k < cols; k++) {
                    assertThat(v[3 + k]).isEqualTo(t.get((long) r * cols + k));
                    expected += (double) v[3 + k] * in[1 + k];
                }
                assertThat((double) t.dotRow(r, cols, in, 1)).isCloseTo(expected, within(1e-3));
            }
            assertThatThrownBy(() -> t.readRow(rows, cols, v, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.get(x.length)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void f32RowsAndDots() {
        checkRowsAndDots(F32Tensor::pack, F32Tensor::of, 4, 1);
        float[] x = {1.5f, -3f, 7f};
        MemorySegment seg = MemorySegment.ofArray(new byte[12]);
        F32Tensor.pack(x, 0, 3, seg, 0);
        float[] out = new float[3];
        F32Tensor.of(seg, 3).readRow(0, 3, out, 0);
        assertThat(out).containsExactly(x);
    }

    @Test
    void f16RowsAndDots() {
        checkRowsAndDots(F16Tensor::pack, F16Tensor::of, 2, 1);
    }

    @Test
    void f16VectorPathMatchesTheScalarLoopAcrossChunksAndTails() {
        assertThat(F16Tensor.VECTOR).as("tests run with the Vector API, so the fast path is covered").isTrue();
        Random random = new Random(6);
        int cols = 2 * 1024 + 37; // crosses the 1024-element chunks and leaves a scalar tail
        float[] v = new float[3 * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        MemorySegment seg = MemorySegment.ofArray(new byte[2 * v.length]);
        F16Tensor.pack(v, 0, v.length, seg, 0);
        F16Tensor t = F16Tensor.of(seg, v.length);
        float[] x = new float[cols + 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] row = new float[cols];
        for (int r = 0; r < 3; r++) {
            t.readRow(r, cols, row, 0);
            double expected = 0;
            for (int k = 0; k < cols; k++) {
                assertThat(row[k]).isEqualTo(F16Tensor.decode(F16Tensor.encode(v[r * cols + k])));
                expected += (double) row[k] * x[2 + k];
            }
            assertThat((double) t.dotRow(r, cols, x, 2)).isCloseTo(expected, within(1e-2));
            assertThat((double) t.dotScalar(2L * r * cols, cols, x, 2)).isCloseTo(expected, within(1e-2));
        }
    }

    @Test
    void f16DotConvertsEveryHalfExactly() {
        // all 65,536 bit patterns (subnormals, -0, inf, NaN) at an even, an odd and a later lane position
        int cols = 64;
        byte[] bytes = new byte[2 * cols];
        MemorySegment seg = MemorySegment.ofArray(bytes);
        F16Tensor t = F16Tensor.of(seg, cols);
        for (int position : new int[] {0, 1, 45}) {
            float[] x = new float[cols];
            x[position] = 1f;
            for (int h = 0; h < 65536; h++) {
                seg.set(Layouts.I16, 2L * position, (short) h);
                float expected = Float.float16ToFloat((short) h) + 0f; // -0 sums to +0
                float actual = t.dotRow(0, cols, x, 0);
                if (Float.isNaN(expected)) {
                    assertThat(actual).as("half 0x%04x", h).isNaN();
                } else if (Float.floatToIntBits(actual) != Float.floatToIntBits(expected)) {
                    assertThat(actual).as("half 0x%04x at %d", h, position).isEqualTo(expected);
                }
            }
            seg.set(Layouts.I16, 2L * position, (short) 0);
        }
    }

    @Test
    void bf16RowsAndDots() {
        checkRowsAndDots(BF16Tensor::pack, BF16Tensor::of, 2, 1);
    }

    @Test
    void q8_0RowsAndDots() {
        checkRowsAndDots(Q8_0Tensor::quantize, Q8_0Tensor::of, 34, 32);
    }

    @Test
    void rejectsShortSegments() {
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        assertThatThrownBy(() -> F32Tensor.of(seg, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> F16Tensor.of(seg, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Q8_0Tensor.of(seg, 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Q8_0Tensor.byteSize(31)).isInstanceOf(IllegalArgumentException.class);
    }
}

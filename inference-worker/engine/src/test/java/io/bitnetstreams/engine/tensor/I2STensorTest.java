package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.kernel.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class I2STensorTest {

    /**
     * One 128-element row. Codes: elements 0..31 are 2 (+1), 32..63 are 0 (-1), 64..95 are 1 (0), 96..127
     * are 2, except element 1 and element 127 which are 0. Byte p holds elements p, p+32, p+64, p+96 in
     * bits 7:6, 5:4, 3:2, 1:0, so a typical byte is 10_00_01_10 = 0x86; byte 1 has element 1 = 0 in
     * bits 7:6 (00_00_01_10 = 0x06); byte 31 has element 127 = 0 in bits 1:0 (10_00_01_00 = 0x84).
     * Then the trailer: scale 2.5f = 0x40200000 little-endian, 28 zero bytes.
     */
    private static final byte[] EXPECTED = bytes(
            0x86, 0x06, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86,
            0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x86, 0x84,
            0x00, 0x00, 0x20, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static byte[] codes() {
        byte[] c = new byte[128];
        for (int e = 0; e < 128; e++) c[e] = (byte) new int[] {2, 0, 1, 2}[e / 32];
        c[1] = 0;
        c[127] = 0;
        return c;
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void packsTheOfficialLayout() {
        byte[] out = new byte[64];
        I2STensor.pack(codes(), 1, 128, 2.5f, MemorySegment.ofArray(out));
        assertThat(out).isEqualTo(EXPECTED);
    }

    @Test
    void readsTheOfficialLayout() {
        I2STensor t = I2STensor.of(MemorySegment.ofArray(EXPECTED.clone()), 1, 128);
        assertThat(t.scale()).isEqualTo(2.5f);
        byte[] back = new byte[128];
        t.readCodes(0, back, 0);
        assertThat(back).isEqualTo(codes());
        byte[] q = new byte[128];
        Arrays.fill(q, (byte) 1);
        // sum of codes: 32*2 - 1*2 (element 1 is 0) + 0 + 32 + 32*2 - 2 (element 127 is 0) = 156
        assertThat(t.dotCodes(0, q, 0)).isEqualTo(156);
    }

    @Test
    void ignoresTrailerJunkAfterTheScale() {
        byte[] junk = EXPECTED.clone();
        for (int i = 36; i < 64; i++) junk[i] = (byte) 0xEE;
        assertThat(I2STensor.of(MemorySegment.ofArray(junk), 1, 128).scale()).isEqualTo(2.5f);
    }

    @Test
    void rejectsANonFiniteScale() {
        byte[] nan = EXPECTED.clone();
        MemorySegment.ofArray(nan).set(ValueLayout.JAVA_FLOAT_UNALIGNED, 32, Float.NaN);
        TernaryFormatsTest.assertFormatError(() -> I2STensor.of(MemorySegment.ofArray(nan), 1, 128), "scale", "NaN");
    }

    @Test
    void flatBlocksWorkForRowsNarrowerThanABlock() {
        // 6 rows of 64: blocks of 128 run across row boundaries in the flat array
        Random random = new Random(1);
        int rows = 6;
        int cols = 64;
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) random.nextInt(3);
        byte[] data = new byte[(int) I2STensor.byteSize(rows, cols)];
        I2STensor.pack(codes, rows, cols, 1f, MemorySegment.ofArray(data));
        I2STensor t = I2STensor.of(MemorySegment.ofArray(data), rows, cols);
        byte[] row = new byte[cols];
        byte[] q = new byte[cols];
        random.nextBytes(q);
        for (int m = 0; m < rows; m++) {
            t.readCodes(m, row, 0);
            assertThat(row).isEqualTo(Arrays.copyOfRange(codes, m * cols, (m + 1) * cols));
            assertThat(t.dotCodes(m, q, 0)).isEqualTo(ScalarKernels.dot(row, 0, q, 0, cols));
        }
    }
}

package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TQ2_0TensorTest {

    /**
     * One 256-element block with code(e) = (e / 32) % 3. Half h, byte m holds elements 128h + m + 32l at
     * bits 2l: half 0 holds codes 0, 1, 2, 0 (groups 0..3) = 0 | 1<<2 | 2<<4 | 0<<6 = 0x24; half 1 holds
     * codes 1, 2, 0, 1 (groups 4..7) = 1 | 2<<2 | 0<<4 | 1<<6 = 0x49. Then d = 0.5 as f16 = 0x3800 (LE).
     */
    static final byte[] EXPECTED = expected();

    private static byte[] expected() {
        byte[] b = new byte[66];
        Arrays.fill(b, 0, 32, (byte) 0x24);
        Arrays.fill(b, 32, 64, (byte) 0x49);
        b[64] = 0x00;
        b[65] = 0x38;
        return b;
    }

    static byte[] codes() {
        byte[] c = new byte[256];
        for (int e = 0; e < 256; e++) c[e] = (byte) ((e / 32) % 3);
        return c;
    }

    @Test
    void packsTheLlamaCppLayout() {
        byte[] out = new byte[66];
        TQ2_0Tensor.pack(codes(), 1, 256, 0.5f, MemorySegment.ofArray(out));
        assertThat(out).isEqualTo(EXPECTED);
    }

    @Test
    void readsTheLlamaCppLayout() {
        TQ2_0Tensor t = TQ2_0Tensor.of(MemorySegment.ofArray(EXPECTED.clone()), 1, 256);
        assertThat(t.scale()).isEqualTo(0.5f);
        byte[] back = new byte[256];
        t.readCodes(0, back, 0);
        assertThat(back).isEqualTo(codes());
    }

    @Test
    void blocksMustShareOneScale() {
        byte[] two = new byte[132];
        System.arraycopy(EXPECTED, 0, two, 0, 66);
        System.arraycopy(EXPECTED, 0, two, 66, 66);
        two[131] = 0x3C; // second block d = 1.0 instead of 0.5
        TernaryFormatsTest.assertFormatError(() -> TQ2_0Tensor.of(MemorySegment.ofArray(two), 1, 512),
                "block 1", "1.0", "0.5", "one scale per tensor");
    }

    @Test
    void blocksOfZeroTritsMayCarryAnyScale() {
        byte[] two = new byte[132];
        Arrays.fill(two, 0, 64, (byte) 0x55); // block 0: every code 1 (trit 0)
        two[65] = 0x3C; // with d = 1.0
        System.arraycopy(EXPECTED, 0, two, 66, 66); // block 1: d = 0.5
        TQ2_0Tensor t = TQ2_0Tensor.of(MemorySegment.ofArray(two), 2, 256);
        assertThat(t.scale()).isEqualTo(0.5f);
        byte[] zeros = new byte[132];
        Arrays.fill(zeros, (byte) 0x55);
        assertThat(TQ2_0Tensor.of(MemorySegment.ofArray(zeros), 2, 256).scale()).isZero();
    }
}

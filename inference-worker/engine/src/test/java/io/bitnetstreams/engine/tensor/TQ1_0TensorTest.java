package io.bitnetstreams.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TQ1_0TensorTest {

    /**
     * One 256-element block, every code 1 (trit 0) except element 0 = 2, element 170 = 0, element 255 = 0.
     * A byte packs its trits base 3, first most significant, stored as ceil(v * 256 / 243):
     * - qs[m] (m < 32) holds elements m + 32n. qs[0] = (2,1,1,1,1): v = 162+27+9+3+1 = 202 -> ceil(51712/243) = 213 (0xD5);
     *   all-ones bytes: v = 121 -> ceil(30976/243) = 128 (0x80).
     * - qs[32 + m] (m < 16) holds 160 + m + 16n: element 170 is m = 10, n = 0, so qs[42] = (0,1,1,1,1):
     *   v = 40 -> ceil(10240/243) = 43 (0x2B).
     * - qh[j] holds 240 + j + 4n with a fifth zero trit appended: all ones -> v = 40*3 = 120 -> 127 (0x7F);
     *   element 255 is j = 3, n = 3: qh[3] = (1,1,1,0) -> v = 39*3 = 117 -> ceil(29952/243) = 124 (0x7C).
     * - d = 1.0 as f16 = 0x3C00 (LE).
     */
    static final byte[] EXPECTED = expected();

    private static byte[] expected() {
        byte[] b = new byte[54];
        Arrays.fill(b, 0, 48, (byte) 0x80);
        b[0] = (byte) 0xD5;
        b[42] = 0x2B;
        Arrays.fill(b, 48, 52, (byte) 0x7F);
        b[51] = 0x7C;
        b[52] = 0x00;
        b[53] = 0x3C;
        return b;
    }

    static byte[] codes() {
        byte[] c = new byte[256];
        Arrays.fill(c, (byte) 1);
        c[0] = 2;
        c[170] = 0;
        c[255] = 0;
        return c;
    }

    @Test
    void packsTheLlamaCppLayout() {
        byte[] out = new byte[54];
        TQ1_0Tensor.pack(codes(), 1, 256, 1f, MemorySegment.ofArray(out));
        assertThat(out).isEqualTo(EXPECTED);
    }

    @Test
    void readsTheLlamaCppLayout() {
        TQ1_0Tensor t = TQ1_0Tensor.of(MemorySegment.ofArray(EXPECTED.clone()), 1, 256);
        assertThat(t.scale()).isEqualTo(1f);
        byte[] back = new byte[256];
        t.readCodes(0, back, 0);
        assertThat(back).isEqualTo(codes());
        byte[] q = new byte[256];
        q[0] = 5;
        q[170] = 7;
        q[255] = 9;
        q[1] = 3;
        assertThat(t.dotCodes(0, q, 0)).isEqualTo(2 * 5 + 0 * 7 + 0 * 9 + 3);
    }

    @Test
    void everyByteValueDecodesToTritsInRange() {
        // hostile bytes must still decode to codes 0..2 (trit n = ((uint8)(q * 3^n) * 3) >> 8)
        byte[] block = new byte[54];
        byte[] back = new byte[256];
        for (int v = 0; v < 256; v++) {
            Arrays.fill(block, 0, 52, (byte) v);
            TQ1_0Tensor.of(MemorySegment.ofArray(block), 1, 256).readCodes(0, back, 0);
            for (byte c : back) assertThat(c).isBetween((byte) 0, (byte) 2);
        }
    }

    @Test
    void blocksMustShareOneScaleUnlessAllTritsAreZero() {
        byte[] two = new byte[108];
        System.arraycopy(EXPECTED, 0, two, 0, 54);
        System.arraycopy(EXPECTED, 0, two, 54, 54);
        two[107] = 0x38; // second block d = 0.5
        TernaryFormatsTest.assertFormatError(() -> TQ1_0Tensor.of(MemorySegment.ofArray(two), 2, 256),
                "block 1", "0.5", "one scale per tensor");
        // block 1 of zero trits (qs 0x80, qh 0x7F) with its own d is fine
        Arrays.fill(two, 54, 102, (byte) 0x80);
        Arrays.fill(two, 102, 106, (byte) 0x7F);
        assertThat(TQ1_0Tensor.of(MemorySegment.ofArray(two), 2, 256).scale()).isEqualTo(1f);
    }
}

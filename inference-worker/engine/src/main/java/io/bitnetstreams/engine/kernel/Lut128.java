package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 128-bit lookup-table kernels over the {@link LutLayout#pairs} layout with 8 rows per vector
 * (a two-table selectFrom (vpermi2w) over 16 entries).
 * Lut128, Lut256 and Lut512 share one structure (written from one template; change them together).
 * Species are static final so C2 scalarizes every vector,
 * accumulators live in locals, and the hot loops are written out by hand (no vector crosses a call
 * that might not be inlined).
 * Weights and tables come from native {@link MemorySegment}s (little-endian words; {@link VectorKernels} never
 * passes a heap segment, so the JIT sees one segment kind at these loads). The tables are 64-byte aligned
 * native memory, not a {@code short[]}: a heap array's data is not cache-line aligned, so nearly every
 * 512-bit table load would straddle two lines.
 */
final class Lut128 {

    static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_128;
    static final int LANES = 8;
    /** int16 table entries per packed index. */
    static final int ENTRIES = 16;
    /** Table shorts per packed word. */
    static final int STEP = 64;
    private static final short[][] COEFFICIENTS = LutLayout.pairs(1, 1, LANES).coefficients();
    private static final int FLUSH = LutLayout.pairs(1, 1, LANES).wordsPerFlush();

    private Lut128() {
    }

    static LutLayout layout(int rows, int cols) {
        return LutLayout.pairs(rows, cols, LANES);
    }

    /** Builds the table of one token: {@code words * STEP} shorts at {@code tab[tabOff ..]}. */
    static void buildTable(byte[] q, int qOff, int cols, int words, MemorySegment tab, int tabOff) {
        ShortVector c00 = ShortVector.fromArray(S, COEFFICIENTS[0], 0);
        ShortVector c01 = ShortVector.fromArray(S, COEFFICIENTS[0], 8);
        ShortVector c10 = ShortVector.fromArray(S, COEFFICIENTS[1], 0);
        ShortVector c11 = ShortVector.fromArray(S, COEFFICIENTS[1], 8);
        int groups = words * 4;
        int full = Math.min(groups, cols / 2);
        for (int p = 0; p < full; p++) {
            int k = qOff + 2 * p;
            short q0 = q[k + 0];
            short q1 = q[k + 1];
            c00.mul(q0).add(c10.mul(q1)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 0), ByteOrder.LITTLE_ENDIAN);
            c01.mul(q0).add(c11.mul(q1)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 8), ByteOrder.LITTLE_ENDIAN);
        }
        for (int p = full; p < groups; p++) {
            int k = 2 * p;
            short q0 = k + 0 < cols ? q[qOff + k + 0] : 0;
            short q1 = k + 1 < cols ? q[qOff + k + 1] : 0;
            c00.mul(q0).add(c10.mul(q1)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 0), ByteOrder.LITTLE_ENDIAN);
            c01.mul(q0).add(c11.mul(q1)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 8), ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * 2 row groups (starting at word offset {@code base0}, then the next ones) times 4 tokens
     * (tables at {@code tabOff + t * tabStride}): adds {@code D - S} into {@code acc}, laid out
     * {@code acc[(r * 4 + t) * LANES + row]}. Two {@link #tile2x2} passes, not one 2x4 body: the
     * two-vector {@code selectFrom} of 24+ lookups in one method ran C1 out of virtual registers
     * (COMPILE SKIPPED), so the method never got a profile for C2 and ran boxed (~0.3 GMAC/s).
     */
    static void tile2x4(MemorySegment w, int base0, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        tile2x2(w, base0, words, tab, tabOff, tabStride, acc, 0);
        tile2x2(w, base0, words, tab, tabOff + 2 * tabStride, tabStride, acc, 2);
    }

    /**
     * 2 row groups times tokens {@code token0, token0 + 1} of a 2x4 tile (tables at {@code tabOff} and
     * {@code tabOff + tabStride}): adds into {@code acc[(r * 4 + token0 + t) * LANES + row]}.
     */
    static void tile2x2(MemorySegment w, int base0, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc,
                        int token0) {
        long w0 = 2L * base0;
        long w1 = 2L * (base0 + words * LANES);
        long t0 = 2L * tabOff;
        long t1 = 2L * (tabOff + tabStride);
        for (int s0 = 0; s0 < words; s0 += FLUSH) {
            int s1 = Math.min(words, s0 + FLUSH);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a01 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector a11 = ShortVector.zero(S);
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the loads' bounds checks
                ShortVector w00 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 4);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 8);
                ShortVector w03 = w00.lanewise(VectorOperators.LSHR, 12);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 4);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 8);
                ShortVector w13 = w10.lanewise(VectorOperators.LSHR, 12);
                long tb0 = t0 + s * (2L * STEP);
                ShortVector t00l = ShortVector.fromMemorySegment(S, tab, tb0 + 0, ByteOrder.LITTLE_ENDIAN);
                ShortVector t00h = ShortVector.fromMemorySegment(S, tab, tb0 + 16, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01l = ShortVector.fromMemorySegment(S, tab, tb0 + 32, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01h = ShortVector.fromMemorySegment(S, tab, tb0 + 48, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02l = ShortVector.fromMemorySegment(S, tab, tb0 + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02h = ShortVector.fromMemorySegment(S, tab, tb0 + 80, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03l = ShortVector.fromMemorySegment(S, tab, tb0 + 96, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03h = ShortVector.fromMemorySegment(S, tab, tb0 + 112, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00l, t00h)).add(w01.selectFrom(t01l, t01h)).add(w02.selectFrom(t02l, t02h)).add(w03.selectFrom(t03l, t03h));
                a10 = a10.add(w10.selectFrom(t00l, t00h)).add(w11.selectFrom(t01l, t01h)).add(w12.selectFrom(t02l, t02h)).add(w13.selectFrom(t03l, t03h));
                long tb1 = t1 + s * (2L * STEP);
                ShortVector t10l = ShortVector.fromMemorySegment(S, tab, tb1 + 0, ByteOrder.LITTLE_ENDIAN);
                ShortVector t10h = ShortVector.fromMemorySegment(S, tab, tb1 + 16, ByteOrder.LITTLE_ENDIAN);
                ShortVector t11l = ShortVector.fromMemorySegment(S, tab, tb1 + 32, ByteOrder.LITTLE_ENDIAN);
                ShortVector t11h = ShortVector.fromMemorySegment(S, tab, tb1 + 48, ByteOrder.LITTLE_ENDIAN);
                ShortVector t12l = ShortVector.fromMemorySegment(S, tab, tb1 + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t12h = ShortVector.fromMemorySegment(S, tab, tb1 + 80, ByteOrder.LITTLE_ENDIAN);
                ShortVector t13l = ShortVector.fromMemorySegment(S, tab, tb1 + 96, ByteOrder.LITTLE_ENDIAN);
                ShortVector t13h = ShortVector.fromMemorySegment(S, tab, tb1 + 112, ByteOrder.LITTLE_ENDIAN);
                a01 = a01.add(w00.selectFrom(t10l, t10h)).add(w01.selectFrom(t11l, t11h)).add(w02.selectFrom(t12l, t12h)).add(w03.selectFrom(t13l, t13h));
                a11 = a11.add(w10.selectFrom(t10l, t10h)).add(w11.selectFrom(t11l, t11h)).add(w12.selectFrom(t12l, t12h)).add(w13.selectFrom(t13l, t13h));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                int o = ((0 * 4 + 0) + token0) * LANES;
                IntVector.fromArray(I, acc, o).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o);
                IntVector.fromArray(I, acc, o + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o + 4);
            }
            {
                IntVector x = a01.reinterpretAsInts();
                int o = ((0 * 4 + 1) + token0) * LANES;
                IntVector.fromArray(I, acc, o).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o);
                IntVector.fromArray(I, acc, o + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o + 4);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                int o = ((1 * 4 + 0) + token0) * LANES;
                IntVector.fromArray(I, acc, o).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o);
                IntVector.fromArray(I, acc, o + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o + 4);
            }
            {
                IntVector x = a11.reinterpretAsInts();
                int o = ((1 * 4 + 1) + token0) * LANES;
                IntVector.fromArray(I, acc, o).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o);
                IntVector.fromArray(I, acc, o + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, o + 4);
            }
        }
    }

    /**
     * 2 row groups (starting at word offset {@code base0}, then the next ones) times 1 token
     * (tables at {@code tabOff + t * tabStride}): adds {@code D - S} into {@code acc}, laid out
     * {@code acc[(r * 1 + t) * LANES + row]}.
     */
    static void tile2x1(MemorySegment w, int base0, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        int base1 = base0 + words * LANES;
        long w0 = 2L * base0;
        long w1 = 2L * base1;
        long t0 = 2L * tabOff;
        for (int s0 = 0; s0 < words; s0 += FLUSH) {
            int s1 = Math.min(words, s0 + FLUSH);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the loads' bounds checks (3.5x at T=1 in cache)
                ShortVector w00 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 4);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 8);
                ShortVector w03 = w00.lanewise(VectorOperators.LSHR, 12);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 4);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 8);
                ShortVector w13 = w10.lanewise(VectorOperators.LSHR, 12);
                long tb = t0 + s * (2L * STEP);
                ShortVector t00l = ShortVector.fromMemorySegment(S, tab, tb, ByteOrder.LITTLE_ENDIAN);
                ShortVector t00h = ShortVector.fromMemorySegment(S, tab, tb + 16, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01l = ShortVector.fromMemorySegment(S, tab, tb + 32, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01h = ShortVector.fromMemorySegment(S, tab, tb + 48, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02l = ShortVector.fromMemorySegment(S, tab, tb + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02h = ShortVector.fromMemorySegment(S, tab, tb + 80, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03l = ShortVector.fromMemorySegment(S, tab, tb + 96, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03h = ShortVector.fromMemorySegment(S, tab, tb + 112, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00l, t00h)).add(w01.selectFrom(t01l, t01h)).add(w02.selectFrom(t02l, t02h)).add(w03.selectFrom(t03l, t03h));
                a10 = a10.add(w10.selectFrom(t00l, t00h)).add(w11.selectFrom(t01l, t01h)).add(w12.selectFrom(t02l, t02h)).add(w13.selectFrom(t03l, t03h));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 4);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 8).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 8);
                IntVector.fromArray(I, acc, 8 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 8 + 4);
            }
        }
    }

    /**
     * 4 row groups (starting at word offset {@code base0}, then the next ones) times 1 token
     * (tables at {@code tabOff + t * tabStride}): adds {@code D - S} into {@code acc}, laid out
     * {@code acc[(r * 1 + t) * LANES + row]}.
     */
    static void tile4x1(MemorySegment w, int base0, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        int base1 = base0 + words * LANES;
        int base2 = base1 + words * LANES;
        int base3 = base2 + words * LANES;
        long w0 = 2L * base0;
        long w1 = 2L * base1;
        long w2 = 2L * base2;
        long w3 = 2L * base3;
        long t0 = 2L * tabOff;
        for (int s0 = 0; s0 < words; s0 += FLUSH) {
            int s1 = Math.min(words, s0 + FLUSH);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector a20 = ShortVector.zero(S);
            ShortVector a30 = ShortVector.zero(S);
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the loads' bounds checks (3.5x at T=1 in cache)
                ShortVector w00 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 4);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 8);
                ShortVector w03 = w00.lanewise(VectorOperators.LSHR, 12);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 4);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 8);
                ShortVector w13 = w10.lanewise(VectorOperators.LSHR, 12);
                ShortVector w20 = ShortVector.fromMemorySegment(S, w, w2 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w21 = w20.lanewise(VectorOperators.LSHR, 4);
                ShortVector w22 = w20.lanewise(VectorOperators.LSHR, 8);
                ShortVector w23 = w20.lanewise(VectorOperators.LSHR, 12);
                ShortVector w30 = ShortVector.fromMemorySegment(S, w, w3 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w31 = w30.lanewise(VectorOperators.LSHR, 4);
                ShortVector w32 = w30.lanewise(VectorOperators.LSHR, 8);
                ShortVector w33 = w30.lanewise(VectorOperators.LSHR, 12);
                long tb = t0 + s * (2L * STEP);
                ShortVector t00l = ShortVector.fromMemorySegment(S, tab, tb, ByteOrder.LITTLE_ENDIAN);
                ShortVector t00h = ShortVector.fromMemorySegment(S, tab, tb + 16, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01l = ShortVector.fromMemorySegment(S, tab, tb + 32, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01h = ShortVector.fromMemorySegment(S, tab, tb + 48, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02l = ShortVector.fromMemorySegment(S, tab, tb + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02h = ShortVector.fromMemorySegment(S, tab, tb + 80, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03l = ShortVector.fromMemorySegment(S, tab, tb + 96, ByteOrder.LITTLE_ENDIAN);
                ShortVector t03h = ShortVector.fromMemorySegment(S, tab, tb + 112, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00l, t00h)).add(w01.selectFrom(t01l, t01h)).add(w02.selectFrom(t02l, t02h)).add(w03.selectFrom(t03l, t03h));
                a10 = a10.add(w10.selectFrom(t00l, t00h)).add(w11.selectFrom(t01l, t01h)).add(w12.selectFrom(t02l, t02h)).add(w13.selectFrom(t03l, t03h));
                a20 = a20.add(w20.selectFrom(t00l, t00h)).add(w21.selectFrom(t01l, t01h)).add(w22.selectFrom(t02l, t02h)).add(w23.selectFrom(t03l, t03h));
                a30 = a30.add(w30.selectFrom(t00l, t00h)).add(w31.selectFrom(t01l, t01h)).add(w32.selectFrom(t02l, t02h)).add(w33.selectFrom(t03l, t03h));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 4);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 8).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 8);
                IntVector.fromArray(I, acc, 8 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 8 + 4);
            }
            {
                IntVector x = a20.reinterpretAsInts();
                IntVector.fromArray(I, acc, 16).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 16);
                IntVector.fromArray(I, acc, 16 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 16 + 4);
            }
            {
                IntVector x = a30.reinterpretAsInts();
                IntVector.fromArray(I, acc, 24).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 24);
                IntVector.fromArray(I, acc, 24 + 4).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 24 + 4);
            }
        }
    }
}

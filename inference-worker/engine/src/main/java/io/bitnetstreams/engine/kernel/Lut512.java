package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 512-bit lookup-table kernels over the {@link LutLayout#triples} layout with 32 rows per vector
 * (one selectFrom (vpermw) over a 32-entry table), and the {@code dense*} tiles over {@link LutLayout#dense}
 * (generated from the same template as the others; the dense tiles step one word at a time because a fully
 * unrolled 5-word block made C2 stop inlining the Vector API calls and box the vectors).
 * Lut128, Lut256 and Lut512 share one structure (written from one template; change them together).
 * Species are static final so C2 scalarizes every vector,
 * accumulators live in locals, and the hot loops are written out by hand (no vector crosses a call
 * that might not be inlined).
 * Weights and tables come from native {@link MemorySegment}s (little-endian words; {@link VectorKernels} never
 * passes a heap segment, so the JIT sees one segment kind at these loads). The tables are 64-byte aligned
 * native memory, not a {@code short[]}: a heap array's data is not cache-line aligned, so nearly every
 * 512-bit table load would straddle two lines.
 */
final class Lut512 {

    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final int LANES = 32;
    /** int16 table entries per packed index. */
    static final int ENTRIES = 32;
    /** Table shorts per packed word. */
    static final int STEP = 96;
    private static final short[][] COEFFICIENTS = LutLayout.triples(1, 1, LANES).coefficients();
    private static final int FLUSH = LutLayout.triples(1, 1, LANES).wordsPerFlush();
    private static final int FLUSH_BLOCKS = LutLayout.dense(1, 1, LANES).blocksPerFlush();
    private static final int BLOCK_WORDS = LutLayout.BLOCK_WORDS;
    private static final int BLOCK_INDICES = LutLayout.BLOCK_INDICES;
    private static final int FLUSH_WORDS = FLUSH_BLOCKS * BLOCK_WORDS;
    /** Bit 15 of a dense-layout word: one bit of its block's 16th index. */
    private static final short TOP_BIT = (short) 0x8000;

    private Lut512() {
    }

    static LutLayout layout(int rows, int cols) {
        return LutLayout.triples(rows, cols, LANES);
    }

    static LutLayout denseLayout(int rows, int cols) {
        return LutLayout.dense(rows, cols, LANES);
    }

    /** Builds the table of one token: {@code indices * ENTRIES} shorts at {@code tab[tabOff ..]}. */
    static void buildTable(byte[] q, int qOff, int cols, int indices, MemorySegment tab, int tabOff) {
        ShortVector c00 = ShortVector.fromArray(S, COEFFICIENTS[0], 0);
        ShortVector c10 = ShortVector.fromArray(S, COEFFICIENTS[1], 0);
        ShortVector c20 = ShortVector.fromArray(S, COEFFICIENTS[2], 0);
        int groups = indices;
        int full = Math.min(groups, cols / 3);
        for (int p = 0; p < full; p++) {
            int k = qOff + 3 * p;
            short q0 = q[k + 0];
            short q1 = q[k + 1];
            short q2 = q[k + 2];
            c00.mul(q0).add(c10.mul(q1)).add(c20.mul(q2)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 0), ByteOrder.LITTLE_ENDIAN);
        }
        for (int p = full; p < groups; p++) {
            int k = 3 * p;
            short q0 = k + 0 < cols ? q[qOff + k + 0] : 0;
            short q1 = k + 1 < cols ? q[qOff + k + 1] : 0;
            short q2 = k + 2 < cols ? q[qOff + k + 2] : 0;
            c00.mul(q0).add(c10.mul(q1)).add(c20.mul(q2)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES + 0), ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * Builds the table of one token for the {@link LutLayout#dense} layout: {@code (3 * words + blocks) * ENTRIES}
     * shorts at {@code tab[tabOff ..]}. First the tables of each word's three indices in word order (so a
     * kernel finds word s's tables at {@code s * STEP}, linear in s), then the 16th index of each block.
     */
    static void buildDenseTable(byte[] q, int qOff, int cols, int blocks, int words, MemorySegment tab, int tabOff) {
        ShortVector c00 = ShortVector.fromArray(S, COEFFICIENTS[0], 0);
        ShortVector c10 = ShortVector.fromArray(S, COEFFICIENTS[1], 0);
        ShortVector c20 = ShortVector.fromArray(S, COEFFICIENTS[2], 0);
        int blockCols = BLOCK_INDICES * 3;
        for (int b = 0; b < blocks; b++) {
            for (int p = 0; p < BLOCK_INDICES - 1; p++) { // word p / 3, index p % 3: columns 3p.. of the block
                int k = qOff + b * blockCols + 3 * p;
                short q0 = q[k + 0];
                short q1 = q[k + 1];
                short q2 = q[k + 2];
                c00.mul(q0).add(c10.mul(q1)).add(c20.mul(q2)).intoMemorySegment(tab,
                        2L * (tabOff + (b * (BLOCK_INDICES - 1) + p) * ENTRIES), ByteOrder.LITTLE_ENDIAN);
            }
            int k = qOff + b * blockCols + 3 * (BLOCK_INDICES - 1);
            short q0 = q[k + 0];
            short q1 = q[k + 1];
            short q2 = q[k + 2];
            c00.mul(q0).add(c10.mul(q1)).add(c20.mul(q2)).intoMemorySegment(tab,
                    2L * (tabOff + (3 * words + b) * ENTRIES), ByteOrder.LITTLE_ENDIAN);
        }
        for (int p = blocks * (BLOCK_INDICES - 1); p < 3 * words; p++) { // the plain words after the blocks
            int k = blocks * blockCols + 3 * (p - blocks * (BLOCK_INDICES - 1));
            short q0 = k + 0 < cols ? q[qOff + k + 0] : 0;
            short q1 = k + 1 < cols ? q[qOff + k + 1] : 0;
            short q2 = k + 2 < cols ? q[qOff + k + 2] : 0;
            c00.mul(q0).add(c10.mul(q1)).add(c20.mul(q2)).intoMemorySegment(tab, 2L * (tabOff + p * ENTRIES), ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * 2 row groups (starting at word offset {@code base0}, then the next ones) times 4 tokens
     * (tables at {@code tabOff + t * tabStride}): adds {@code D - S} into {@code acc}, laid out
     * {@code acc[(r * 4 + t) * LANES + row]}.
     */
    static void tile2x4(MemorySegment w, int base0, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        int base1 = base0 + words * LANES;
        for (int s0 = 0; s0 < words; s0 += FLUSH) {
            int s1 = Math.min(words, s0 + FLUSH);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a01 = ShortVector.zero(S);
            ShortVector a02 = ShortVector.zero(S);
            ShortVector a03 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector a11 = ShortVector.zero(S);
            ShortVector a12 = ShortVector.zero(S);
            ShortVector a13 = ShortVector.zero(S);
            for (int s = s0; s < s1; s++) {
                ShortVector w00 = ShortVector.fromMemorySegment(S, w, 2L * (base0 + s * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 5);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 10);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, 2L * (base1 + s * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 5);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 10);
                int tb = tabOff + s * STEP;
                ShortVector t00 = ShortVector.fromMemorySegment(S, tab, 2L * (tb + 0), ByteOrder.LITTLE_ENDIAN);
                ShortVector t01 = ShortVector.fromMemorySegment(S, tab, 2L * (tb + 32), ByteOrder.LITTLE_ENDIAN);
                ShortVector t02 = ShortVector.fromMemorySegment(S, tab, 2L * (tb + 64), ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00)).add(w01.selectFrom(t01)).add(w02.selectFrom(t02));
                a10 = a10.add(w10.selectFrom(t00)).add(w11.selectFrom(t01)).add(w12.selectFrom(t02));
                int tb1 = tb + 1 * tabStride;
                ShortVector t10 = ShortVector.fromMemorySegment(S, tab, 2L * (tb1 + 0), ByteOrder.LITTLE_ENDIAN);
                ShortVector t11 = ShortVector.fromMemorySegment(S, tab, 2L * (tb1 + 32), ByteOrder.LITTLE_ENDIAN);
                ShortVector t12 = ShortVector.fromMemorySegment(S, tab, 2L * (tb1 + 64), ByteOrder.LITTLE_ENDIAN);
                a01 = a01.add(w00.selectFrom(t10)).add(w01.selectFrom(t11)).add(w02.selectFrom(t12));
                a11 = a11.add(w10.selectFrom(t10)).add(w11.selectFrom(t11)).add(w12.selectFrom(t12));
                int tb2 = tb + 2 * tabStride;
                ShortVector t20 = ShortVector.fromMemorySegment(S, tab, 2L * (tb2 + 0), ByteOrder.LITTLE_ENDIAN);
                ShortVector t21 = ShortVector.fromMemorySegment(S, tab, 2L * (tb2 + 32), ByteOrder.LITTLE_ENDIAN);
                ShortVector t22 = ShortVector.fromMemorySegment(S, tab, 2L * (tb2 + 64), ByteOrder.LITTLE_ENDIAN);
                a02 = a02.add(w00.selectFrom(t20)).add(w01.selectFrom(t21)).add(w02.selectFrom(t22));
                a12 = a12.add(w10.selectFrom(t20)).add(w11.selectFrom(t21)).add(w12.selectFrom(t22));
                int tb3 = tb + 3 * tabStride;
                ShortVector t30 = ShortVector.fromMemorySegment(S, tab, 2L * (tb3 + 0), ByteOrder.LITTLE_ENDIAN);
                ShortVector t31 = ShortVector.fromMemorySegment(S, tab, 2L * (tb3 + 32), ByteOrder.LITTLE_ENDIAN);
                ShortVector t32 = ShortVector.fromMemorySegment(S, tab, 2L * (tb3 + 64), ByteOrder.LITTLE_ENDIAN);
                a03 = a03.add(w00.selectFrom(t30)).add(w01.selectFrom(t31)).add(w02.selectFrom(t32));
                a13 = a13.add(w10.selectFrom(t30)).add(w11.selectFrom(t31)).add(w12.selectFrom(t32));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a01.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
            }
            {
                IntVector x = a02.reinterpretAsInts();
                IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
                IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
            }
            {
                IntVector x = a03.reinterpretAsInts();
                IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
                IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 128).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128);
                IntVector.fromArray(I, acc, 128 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128 + 16);
            }
            {
                IntVector x = a11.reinterpretAsInts();
                IntVector.fromArray(I, acc, 160).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160);
                IntVector.fromArray(I, acc, 160 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160 + 16);
            }
            {
                IntVector x = a12.reinterpretAsInts();
                IntVector.fromArray(I, acc, 192).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192);
                IntVector.fromArray(I, acc, 192 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192 + 16);
            }
            {
                IntVector x = a13.reinterpretAsInts();
                IntVector.fromArray(I, acc, 224).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224);
                IntVector.fromArray(I, acc, 224 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224 + 16);
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
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 5);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 10);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 5);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 10);
                long tb = t0 + s * (2L * STEP);
                ShortVector t00 = ShortVector.fromMemorySegment(S, tab, tb, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01 = ShortVector.fromMemorySegment(S, tab, tb + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02 = ShortVector.fromMemorySegment(S, tab, tb + 128, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00)).add(w01.selectFrom(t01)).add(w02.selectFrom(t02));
                a10 = a10.add(w10.selectFrom(t00)).add(w11.selectFrom(t01)).add(w12.selectFrom(t02));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
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
                ShortVector w01 = w00.lanewise(VectorOperators.LSHR, 5);
                ShortVector w02 = w00.lanewise(VectorOperators.LSHR, 10);
                ShortVector w10 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w11 = w10.lanewise(VectorOperators.LSHR, 5);
                ShortVector w12 = w10.lanewise(VectorOperators.LSHR, 10);
                ShortVector w20 = ShortVector.fromMemorySegment(S, w, w2 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w21 = w20.lanewise(VectorOperators.LSHR, 5);
                ShortVector w22 = w20.lanewise(VectorOperators.LSHR, 10);
                ShortVector w30 = ShortVector.fromMemorySegment(S, w, w3 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector w31 = w30.lanewise(VectorOperators.LSHR, 5);
                ShortVector w32 = w30.lanewise(VectorOperators.LSHR, 10);
                long tb = t0 + s * (2L * STEP);
                ShortVector t00 = ShortVector.fromMemorySegment(S, tab, tb, ByteOrder.LITTLE_ENDIAN);
                ShortVector t01 = ShortVector.fromMemorySegment(S, tab, tb + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector t02 = ShortVector.fromMemorySegment(S, tab, tb + 128, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(w00.selectFrom(t00)).add(w01.selectFrom(t01)).add(w02.selectFrom(t02));
                a10 = a10.add(w10.selectFrom(t00)).add(w11.selectFrom(t01)).add(w12.selectFrom(t02));
                a20 = a20.add(w20.selectFrom(t00)).add(w21.selectFrom(t01)).add(w22.selectFrom(t02));
                a30 = a30.add(w30.selectFrom(t00)).add(w31.selectFrom(t01)).add(w32.selectFrom(t02));
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
            }
            {
                IntVector x = a20.reinterpretAsInts();
                IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
                IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
            }
            {
                IntVector x = a30.reinterpretAsInts();
                IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
                IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
            }
        }
    }

    /**
     * 2 row groups (starting at word offset {@code base0}, then the next ones) times 4 tokens over the
     * whole blocks of the {@link LutLayout#dense} layout ({@code blocks} per row of {@code words} words;
     * tables at {@code tabOff + t * tabStride}, ordered as {@link #buildDenseTable} writes them): adds
     * {@code D - S} into {@code acc}, laid out {@code acc[(r * 4 + t) * LANES + row]}. One word per step
     * (offsets linear in the counter); the top bits are gathered on the way and looked up after each block's
     * fifth word. {@link #denseTail2x4} does the words after the blocks.
     */
    static void denseTile2x4(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long t0 = 2L * tabOff;
        long t1 = 2L * (tabOff + 1 * (long) tabStride);
        long t2 = 2L * (tabOff + 2 * (long) tabStride);
        long t3 = 2L * (tabOff + 3 * (long) tabStride);
        long blockWords = (long) blocks * BLOCK_WORDS;
        long spares = 2L * words * STEP; // the blocks' top-bit tables follow the words' tables
        for (long s0 = 0; s0 < blockWords; s0 += FLUSH_WORDS) {
            long s1 = Math.min(blockWords, s0 + FLUSH_WORDS);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a01 = ShortVector.zero(S);
            ShortVector a02 = ShortVector.zero(S);
            ShortVector a03 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector a11 = ShortVector.zero(S);
            ShortVector a12 = ShortVector.zero(S);
            ShortVector a13 = ShortVector.zero(S);
            ShortVector p0 = ShortVector.zero(S);
            ShortVector p1 = ShortVector.zero(S);
            long spare = spares + s0 / BLOCK_WORDS * (2L * ENTRIES);
            int j = 0;
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the bounds checks
                ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
                ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
                p0 = p0.lanewise(VectorOperators.LSHR, 1).or(x0.and(TOP_BIT));
                ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
                ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
                p1 = p1.lanewise(VectorOperators.LSHR, 1).or(x1.and(TOP_BIT));
                ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
                a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
                ShortVector u10 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u11 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u12 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a01 = a01.add(x0.selectFrom(u10)).add(y0.selectFrom(u11)).add(z0.selectFrom(u12));
                a11 = a11.add(x1.selectFrom(u10)).add(y1.selectFrom(u11)).add(z1.selectFrom(u12));
                ShortVector u20 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u21 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u22 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a02 = a02.add(x0.selectFrom(u20)).add(y0.selectFrom(u21)).add(z0.selectFrom(u22));
                a12 = a12.add(x1.selectFrom(u20)).add(y1.selectFrom(u21)).add(z1.selectFrom(u22));
                ShortVector u30 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u31 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u32 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a03 = a03.add(x0.selectFrom(u30)).add(y0.selectFrom(u31)).add(z0.selectFrom(u32));
                a13 = a13.add(x1.selectFrom(u30)).add(y1.selectFrom(u31)).add(z1.selectFrom(u32));
                if (++j == BLOCK_WORDS) { // bits 11-15 of p: the block's 16th index
                    ShortVector q0 = p0.lanewise(VectorOperators.LSHR, 11);
                    ShortVector q1 = p1.lanewise(VectorOperators.LSHR, 11);
                    ShortVector v0 = ShortVector.fromMemorySegment(S, tab, t0 + spare, ByteOrder.LITTLE_ENDIAN);
                    a00 = a00.add(q0.selectFrom(v0));
                    a10 = a10.add(q1.selectFrom(v0));
                    ShortVector v1 = ShortVector.fromMemorySegment(S, tab, t1 + spare, ByteOrder.LITTLE_ENDIAN);
                    a01 = a01.add(q0.selectFrom(v1));
                    a11 = a11.add(q1.selectFrom(v1));
                    ShortVector v2 = ShortVector.fromMemorySegment(S, tab, t2 + spare, ByteOrder.LITTLE_ENDIAN);
                    a02 = a02.add(q0.selectFrom(v2));
                    a12 = a12.add(q1.selectFrom(v2));
                    ShortVector v3 = ShortVector.fromMemorySegment(S, tab, t3 + spare, ByteOrder.LITTLE_ENDIAN);
                    a03 = a03.add(q0.selectFrom(v3));
                    a13 = a13.add(q1.selectFrom(v3));
                    spare += 2L * ENTRIES;
                    j = 0;
                }
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a01.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
            }
            {
                IntVector x = a02.reinterpretAsInts();
                IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
                IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
            }
            {
                IntVector x = a03.reinterpretAsInts();
                IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
                IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 128).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128);
                IntVector.fromArray(I, acc, 128 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128 + 16);
            }
            {
                IntVector x = a11.reinterpretAsInts();
                IntVector.fromArray(I, acc, 160).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160);
                IntVector.fromArray(I, acc, 160 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160 + 16);
            }
            {
                IntVector x = a12.reinterpretAsInts();
                IntVector.fromArray(I, acc, 192).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192);
                IntVector.fromArray(I, acc, 192 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192 + 16);
            }
            {
                IntVector x = a13.reinterpretAsInts();
                IntVector.fromArray(I, acc, 224).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224);
                IntVector.fromArray(I, acc, 224 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224 + 16);
            }
        }
    }

    /**
     * The plain triples words after the whole blocks of {@link #denseTile2x4} (at most 6: no flush needed); a method
     * of its own so that the block loop's compilation does not depend on whether a shape has a tail.
     */
    static void denseTail2x4(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long t0 = 2L * tabOff;
        long t1 = 2L * (tabOff + 1 * (long) tabStride);
        long t2 = 2L * (tabOff + 2 * (long) tabStride);
        long t3 = 2L * (tabOff + 3 * (long) tabStride);
        ShortVector a00 = ShortVector.zero(S);
        ShortVector a01 = ShortVector.zero(S);
        ShortVector a02 = ShortVector.zero(S);
        ShortVector a03 = ShortVector.zero(S);
        ShortVector a10 = ShortVector.zero(S);
        ShortVector a11 = ShortVector.zero(S);
        ShortVector a12 = ShortVector.zero(S);
        ShortVector a13 = ShortVector.zero(S);
        for (long s = (long) blocks * BLOCK_WORDS; s < words; s++) {
            ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
            ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
            ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
            ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
            ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
            a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
            ShortVector u10 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u11 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u12 = ShortVector.fromMemorySegment(S, tab, t1 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a01 = a01.add(x0.selectFrom(u10)).add(y0.selectFrom(u11)).add(z0.selectFrom(u12));
            a11 = a11.add(x1.selectFrom(u10)).add(y1.selectFrom(u11)).add(z1.selectFrom(u12));
            ShortVector u20 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u21 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u22 = ShortVector.fromMemorySegment(S, tab, t2 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a02 = a02.add(x0.selectFrom(u20)).add(y0.selectFrom(u21)).add(z0.selectFrom(u22));
            a12 = a12.add(x1.selectFrom(u20)).add(y1.selectFrom(u21)).add(z1.selectFrom(u22));
            ShortVector u30 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u31 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u32 = ShortVector.fromMemorySegment(S, tab, t3 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a03 = a03.add(x0.selectFrom(u30)).add(y0.selectFrom(u31)).add(z0.selectFrom(u32));
            a13 = a13.add(x1.selectFrom(u30)).add(y1.selectFrom(u31)).add(z1.selectFrom(u32));
        }
        {
            IntVector x = a00.reinterpretAsInts();
            IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
            IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
        }
        {
            IntVector x = a01.reinterpretAsInts();
            IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
            IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
        }
        {
            IntVector x = a02.reinterpretAsInts();
            IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
            IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
        }
        {
            IntVector x = a03.reinterpretAsInts();
            IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
            IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
        }
        {
            IntVector x = a10.reinterpretAsInts();
            IntVector.fromArray(I, acc, 128).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128);
            IntVector.fromArray(I, acc, 128 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 128 + 16);
        }
        {
            IntVector x = a11.reinterpretAsInts();
            IntVector.fromArray(I, acc, 160).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160);
            IntVector.fromArray(I, acc, 160 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 160 + 16);
        }
        {
            IntVector x = a12.reinterpretAsInts();
            IntVector.fromArray(I, acc, 192).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192);
            IntVector.fromArray(I, acc, 192 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 192 + 16);
        }
        {
            IntVector x = a13.reinterpretAsInts();
            IntVector.fromArray(I, acc, 224).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224);
            IntVector.fromArray(I, acc, 224 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 224 + 16);
        }
    }

    /**
     * 2 row groups (starting at word offset {@code base0}, then the next ones) times 1 token over the
     * whole blocks of the {@link LutLayout#dense} layout ({@code blocks} per row of {@code words} words;
     * tables at {@code tabOff + t * tabStride}, ordered as {@link #buildDenseTable} writes them): adds
     * {@code D - S} into {@code acc}, laid out {@code acc[(r * 1 + t) * LANES + row]}. One word per step
     * (offsets linear in the counter); the top bits are gathered on the way and looked up after each block's
     * fifth word. {@link #denseTail2x1} does the words after the blocks.
     */
    static void denseTile2x1(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long t0 = 2L * tabOff;
        long blockWords = (long) blocks * BLOCK_WORDS;
        long spares = 2L * words * STEP; // the blocks' top-bit tables follow the words' tables
        for (long s0 = 0; s0 < blockWords; s0 += FLUSH_WORDS) {
            long s1 = Math.min(blockWords, s0 + FLUSH_WORDS);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector p0 = ShortVector.zero(S);
            ShortVector p1 = ShortVector.zero(S);
            long spare = spares + s0 / BLOCK_WORDS * (2L * ENTRIES);
            int j = 0;
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the bounds checks
                ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
                ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
                p0 = p0.lanewise(VectorOperators.LSHR, 1).or(x0.and(TOP_BIT));
                ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
                ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
                p1 = p1.lanewise(VectorOperators.LSHR, 1).or(x1.and(TOP_BIT));
                ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
                a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
                if (++j == BLOCK_WORDS) { // bits 11-15 of p: the block's 16th index
                    ShortVector q0 = p0.lanewise(VectorOperators.LSHR, 11);
                    ShortVector q1 = p1.lanewise(VectorOperators.LSHR, 11);
                    ShortVector v0 = ShortVector.fromMemorySegment(S, tab, t0 + spare, ByteOrder.LITTLE_ENDIAN);
                    a00 = a00.add(q0.selectFrom(v0));
                    a10 = a10.add(q1.selectFrom(v0));
                    spare += 2L * ENTRIES;
                    j = 0;
                }
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
            }
        }
    }

    /**
     * The plain triples words after the whole blocks of {@link #denseTile2x1} (at most 6: no flush needed); a method
     * of its own so that the block loop's compilation does not depend on whether a shape has a tail.
     */
    static void denseTail2x1(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long t0 = 2L * tabOff;
        ShortVector a00 = ShortVector.zero(S);
        ShortVector a10 = ShortVector.zero(S);
        for (long s = (long) blocks * BLOCK_WORDS; s < words; s++) {
            ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
            ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
            ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
            ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
            ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
            a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
        }
        {
            IntVector x = a00.reinterpretAsInts();
            IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
            IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
        }
        {
            IntVector x = a10.reinterpretAsInts();
            IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
            IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
        }
    }

    /**
     * 4 row groups (starting at word offset {@code base0}, then the next ones) times 1 token over the
     * whole blocks of the {@link LutLayout#dense} layout ({@code blocks} per row of {@code words} words;
     * tables at {@code tabOff + t * tabStride}, ordered as {@link #buildDenseTable} writes them): adds
     * {@code D - S} into {@code acc}, laid out {@code acc[(r * 1 + t) * LANES + row]}. One word per step
     * (offsets linear in the counter); the top bits are gathered on the way and looked up after each block's
     * fifth word. {@link #denseTail4x1} does the words after the blocks.
     */
    static void denseTile4x1(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long w2 = w1 + groupBytes;
        long w3 = w2 + groupBytes;
        long t0 = 2L * tabOff;
        long blockWords = (long) blocks * BLOCK_WORDS;
        long spares = 2L * words * STEP; // the blocks' top-bit tables follow the words' tables
        for (long s0 = 0; s0 < blockWords; s0 += FLUSH_WORDS) {
            long s1 = Math.min(blockWords, s0 + FLUSH_WORDS);
            ShortVector a00 = ShortVector.zero(S);
            ShortVector a10 = ShortVector.zero(S);
            ShortVector a20 = ShortVector.zero(S);
            ShortVector a30 = ShortVector.zero(S);
            ShortVector p0 = ShortVector.zero(S);
            ShortVector p1 = ShortVector.zero(S);
            ShortVector p2 = ShortVector.zero(S);
            ShortVector p3 = ShortVector.zero(S);
            long spare = spares + s0 / BLOCK_WORDS * (2L * ENTRIES);
            int j = 0;
            for (long s = s0; s < s1; s++) { // long counted loop, offsets linear in s: C2 hoists the bounds checks
                ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
                ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
                p0 = p0.lanewise(VectorOperators.LSHR, 1).or(x0.and(TOP_BIT));
                ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
                ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
                p1 = p1.lanewise(VectorOperators.LSHR, 1).or(x1.and(TOP_BIT));
                ShortVector x2 = ShortVector.fromMemorySegment(S, w, w2 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y2 = x2.lanewise(VectorOperators.LSHR, 5);
                ShortVector z2 = x2.lanewise(VectorOperators.LSHR, 10);
                p2 = p2.lanewise(VectorOperators.LSHR, 1).or(x2.and(TOP_BIT));
                ShortVector x3 = ShortVector.fromMemorySegment(S, w, w3 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
                ShortVector y3 = x3.lanewise(VectorOperators.LSHR, 5);
                ShortVector z3 = x3.lanewise(VectorOperators.LSHR, 10);
                p3 = p3.lanewise(VectorOperators.LSHR, 1).or(x3.and(TOP_BIT));
                ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
                ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
                ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
                a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
                a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
                a20 = a20.add(x2.selectFrom(u00)).add(y2.selectFrom(u01)).add(z2.selectFrom(u02));
                a30 = a30.add(x3.selectFrom(u00)).add(y3.selectFrom(u01)).add(z3.selectFrom(u02));
                if (++j == BLOCK_WORDS) { // bits 11-15 of p: the block's 16th index
                    ShortVector q0 = p0.lanewise(VectorOperators.LSHR, 11);
                    ShortVector q1 = p1.lanewise(VectorOperators.LSHR, 11);
                    ShortVector q2 = p2.lanewise(VectorOperators.LSHR, 11);
                    ShortVector q3 = p3.lanewise(VectorOperators.LSHR, 11);
                    ShortVector v0 = ShortVector.fromMemorySegment(S, tab, t0 + spare, ByteOrder.LITTLE_ENDIAN);
                    a00 = a00.add(q0.selectFrom(v0));
                    a10 = a10.add(q1.selectFrom(v0));
                    a20 = a20.add(q2.selectFrom(v0));
                    a30 = a30.add(q3.selectFrom(v0));
                    spare += 2L * ENTRIES;
                    j = 0;
                }
            }
            {
                IntVector x = a00.reinterpretAsInts();
                IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
                IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
            }
            {
                IntVector x = a10.reinterpretAsInts();
                IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
                IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
            }
            {
                IntVector x = a20.reinterpretAsInts();
                IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
                IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
            }
            {
                IntVector x = a30.reinterpretAsInts();
                IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
                IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
            }
        }
    }

    /**
     * The plain triples words after the whole blocks of {@link #denseTile4x1} (at most 6: no flush needed); a method
     * of its own so that the block loop's compilation does not depend on whether a shape has a tail.
     */
    static void denseTail4x1(MemorySegment w, int base0, int blocks, int words, MemorySegment tab, int tabOff, int tabStride, int[] acc) {
        long groupBytes = 2L * words * LANES;
        long w0 = 2L * base0;
        long w1 = w0 + groupBytes;
        long w2 = w1 + groupBytes;
        long w3 = w2 + groupBytes;
        long t0 = 2L * tabOff;
        ShortVector a00 = ShortVector.zero(S);
        ShortVector a10 = ShortVector.zero(S);
        ShortVector a20 = ShortVector.zero(S);
        ShortVector a30 = ShortVector.zero(S);
        for (long s = (long) blocks * BLOCK_WORDS; s < words; s++) {
            ShortVector x0 = ShortVector.fromMemorySegment(S, w, w0 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y0 = x0.lanewise(VectorOperators.LSHR, 5);
            ShortVector z0 = x0.lanewise(VectorOperators.LSHR, 10);
            ShortVector x1 = ShortVector.fromMemorySegment(S, w, w1 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y1 = x1.lanewise(VectorOperators.LSHR, 5);
            ShortVector z1 = x1.lanewise(VectorOperators.LSHR, 10);
            ShortVector x2 = ShortVector.fromMemorySegment(S, w, w2 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y2 = x2.lanewise(VectorOperators.LSHR, 5);
            ShortVector z2 = x2.lanewise(VectorOperators.LSHR, 10);
            ShortVector x3 = ShortVector.fromMemorySegment(S, w, w3 + s * (2L * LANES), ByteOrder.LITTLE_ENDIAN);
            ShortVector y3 = x3.lanewise(VectorOperators.LSHR, 5);
            ShortVector z3 = x3.lanewise(VectorOperators.LSHR, 10);
            ShortVector u00 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP), ByteOrder.LITTLE_ENDIAN);
            ShortVector u01 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 64, ByteOrder.LITTLE_ENDIAN);
            ShortVector u02 = ShortVector.fromMemorySegment(S, tab, t0 + s * (2L * STEP) + 128, ByteOrder.LITTLE_ENDIAN);
            a00 = a00.add(x0.selectFrom(u00)).add(y0.selectFrom(u01)).add(z0.selectFrom(u02));
            a10 = a10.add(x1.selectFrom(u00)).add(y1.selectFrom(u01)).add(z1.selectFrom(u02));
            a20 = a20.add(x2.selectFrom(u00)).add(y2.selectFrom(u01)).add(z2.selectFrom(u02));
            a30 = a30.add(x3.selectFrom(u00)).add(y3.selectFrom(u01)).add(z3.selectFrom(u02));
        }
        {
            IntVector x = a00.reinterpretAsInts();
            IntVector.fromArray(I, acc, 0).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0);
            IntVector.fromArray(I, acc, 0 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 0 + 16);
        }
        {
            IntVector x = a10.reinterpretAsInts();
            IntVector.fromArray(I, acc, 32).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32);
            IntVector.fromArray(I, acc, 32 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 32 + 16);
        }
        {
            IntVector x = a20.reinterpretAsInts();
            IntVector.fromArray(I, acc, 64).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64);
            IntVector.fromArray(I, acc, 64 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 64 + 16);
        }
        {
            IntVector x = a30.reinterpretAsInts();
            IntVector.fromArray(I, acc, 96).add(x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96);
            IntVector.fromArray(I, acc, 96 + 16).add(x.lanewise(VectorOperators.ASHR, 16)).intoArray(acc, 96 + 16);
        }
    }

}

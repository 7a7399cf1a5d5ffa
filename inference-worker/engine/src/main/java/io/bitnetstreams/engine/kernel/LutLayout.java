package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The repacked weight layout of the lookup-table kernels.
 *
 * <p>Rows are grouped {@code lanes} at a time (one row per short lane). K is cut into groups of
 * {@code tritsPerIndex} consecutive columns; the codes of one group form a base-3 index
 * ({@code sum c_j * 3^(n-1-j)}, first column most significant). {@code indicesPerWord} indices of
 * {@code bitsPerIndex} bits each share one 16-bit word, so a word covers {@link #colsPerWord()}
 * columns. Storage: word {@code (group * words + word) * lanes + lane} of a little-endian segment. Lanes are interleaved so
 * that a short vector reinterpreted as ints splits into rows {@code 0..lanes/2-1} (low halves) and
 * {@code lanes/2..lanes-1} (high halves). Padding columns and rows get code 1 (trit 0), which
 * contributes nothing. The row-group count is even: the kernels always work on two groups at once.
 *
 * <p>Per token, the kernels build one table of {@code entriesPerIndex} int16 values per column group:
 * entry i holds {@code sum_j trit_j(i) * q[k_j]}; looking the packed index up in it yields the
 * group's contribution to {@code D - S}.
 */
record LutLayout(int rows, int cols, int lanes, int tritsPerIndex, int indicesPerWord, int bitsPerIndex,
                 int entriesPerIndex) {

    /** The stored word: little-endian, as the kernels and the repack cache file read it. */
    private static final ValueLayout.OfShort WORD = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** 3 trits per 5-bit index, 3 indices per word: 9 columns in 16 bits (1.78 bits per weight). */
    static LutLayout triples(int rows, int cols, int lanes) {
        return new LutLayout(rows, cols, lanes, 3, 3, 5, 32);
    }

    /** 2 trits per 4-bit index, 4 indices per word: 8 columns in 16 bits (2 bits per weight). */
    static LutLayout pairs(int rows, int cols, int lanes) {
        return new LutLayout(rows, cols, lanes, 2, 4, 4, 16);
    }

    int colsPerWord() {
        return tritsPerIndex * indicesPerWord;
    }

    /** Words per row: K rounded up to whole words. */
    int words() {
        return (cols + colsPerWord() - 1) / colsPerWord();
    }

    /** Row groups, rounded up to an even count. */
    int groups() {
        int g = (rows + lanes - 1) / lanes;
        return g + (g & 1);
    }

    /** int16 table entries per token. */
    int tableLength() {
        return words() * indicesPerWord * entriesPerIndex;
    }

    /**
     * Words between int16 -> int32 flushes so the int16 accumulators stay exact: each word adds at
     * most {@code colsPerWord * 128} in magnitude (|trit * q| <= 128).
     */
    int wordsPerFlush() {
        return Short.MAX_VALUE / (colsPerWord() * 128);
    }

    /** Lane of row r (0 <= r < lanes) inside its group: see the class comment. */
    int laneOfRow(int r) {
        int half = lanes / 2;
        return r < half ? 2 * r : 2 * (r - half) + 1;
    }

    /** Bytes of the repacked words: {@code groups * words * lanes} shorts. */
    long packedBytes() {
        return 2L * groups() * words() * lanes;
    }

    /**
     * Repacks the codes of {@code weights} (which must have this layout's shape) into {@code dst}
     * as little-endian words, {@link #packedBytes()} bytes from offset 0.
     */
    void packInto(TernaryWeights weights, MemorySegment dst) {
        if (dst.byteSize() != packedBytes()) {
            throw new IllegalArgumentException("a packed " + rows + " x " + cols + " matrix takes " + packedBytes()
                    + " bytes, the segment has " + dst.byteSize());
        }
        int words = words();
        int cpw = colsPerWord();
        byte[] codes = new byte[words * cpw];
        for (int g = 0; g < groups(); g++) {
            for (int r = 0; r < lanes; r++) {
                int row = g * lanes + r;
                java.util.Arrays.fill(codes, (byte) 1);
                if (row < rows) {
                    weights.readCodes(row, codes, 0);
                    checkCodes(codes, row);
                }
                long lane = laneOfRow(r);
                for (int w = 0; w < words; w++) {
                    dst.set(WORD, 2 * (((long) g * words + w) * lanes + lane), packWord(codes, w * cpw));
                }
            }
        }
    }

    private void checkCodes(byte[] codes, int row) {
        for (int k = 0; k < cols; k++) {
            if ((codes[k] & 0xff) > 2) {
                throw new IllegalArgumentException("invalid ternary code " + codes[k] + " at row " + row + ", column " + k);
            }
        }
    }

    private short packWord(byte[] codes, int offset) {
        int word = 0;
        for (int i = 0; i < indicesPerWord; i++) {
            int index = 0;
            for (int j = 0; j < tritsPerIndex; j++) {
                index = index * 3 + codes[offset + i * tritsPerIndex + j];
            }
            word |= index << (i * bitsPerIndex);
        }
        return (short) word;
    }

    /** Trit (-1, 0, 1) of position j (0 = most significant) in table entry i. */
    int tritOfEntry(int i, int j) {
        if (i >= pow3(tritsPerIndex)) {
            return 0;
        }
        return (i / pow3(tritsPerIndex - 1 - j)) % 3 - 1;
    }

    /** Coefficient vectors for the table build: coefficients()[j][i] = tritOfEntry(i, j). */
    short[][] coefficients() {
        short[][] c = new short[tritsPerIndex][entriesPerIndex];
        for (int j = 0; j < tritsPerIndex; j++) {
            for (int i = 0; i < entriesPerIndex; i++) {
                c[j][i] = (short) tritOfEntry(i, j);
            }
        }
        return c;
    }

    private static int pow3(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 3;
        }
        return p;
    }
}

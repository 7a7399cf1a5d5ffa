package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Float LM-head kernels ({@link LmHead}) over an embedding matrix of {@code vocab x dim}
 * little-endian F16 values, as it lies in the memory-mapped GGUF file (row v = token v).
 *
 * <ul>
 *   <li>{@link #f16}: reads the F16 rows in place (no copy of the matrix) and converts them in
 *       registers inside 4-row x 4-token tiles, so each row is read once per call however many tokens
 *       share it (continuous batching); see {@link HeadRows}.</li>
 *   <li>{@link #quantizeQ8} + {@link #q8}: an int8 copy with one f32 scale per 32-value block
 *       (q8_0 style: {@code d = max|e| / 127}, {@code q = round(e / d)}, halves rounded up), built once
 *       at load time; half the bytes per token of F16 (decode is memory bound), at q8_0 accuracy.
 *       {@link #q8(Q8Rows, LmHead)} recomputes each token's best candidates with the exact head.</li>
 *   <li>{@link #f16Reference}, {@link #q8Reference}: plain scalar loops the vector kernels are tested
 *       against (float sums in a different order, so equal within rounding, not bit for bit).</li>
 * </ul>
 * The vector heads give every (row, token) logit the same bits however many tokens share the call
 * and in {@code logitsForRows} too. Vectors are 512 bits wide when the CPU runs them natively, else 256.
 */
public final class HeadKernels {

    /** Values per q8 block (one scale each). */
    public static final int Q8_BLOCK = 32;
    /** Candidates the 2-bit head rescores per token (its errors are about twice the q4 head's). */
    public static final int Q2_CANDIDATES = 64;
    /** Values per q4 block (one scale each). */
    public static final int Q4_BLOCK = 32;
    /** Scales tried per q4 block, from {@code max / -8} to {@code max / -6.5}: the one with the least squared error wins. */
    private static final int Q4_SCALE_CANDIDATES = 7;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Scales tried per q2 block: {@code amax / (1.5 + 0.1 s)}, the one with the least squared error wins. */
    private static final int Q2_SCALE_CANDIDATES = 16;

    private HeadKernels() {
    }

    /** int8 rows with per-block scales: {@code E[v][d] ~ quants[v * dim + d] * scales[v * dim / 32 + d / 32]}. */
    public record Q8Rows(int vocab, int dim, byte[] quants, float[] scales) {
        public Q8Rows {
            checkShape(vocab, dim);
            if (dim % Q8_BLOCK != 0) {
                throw new IllegalArgumentException("q8 head needs dim divisible by " + Q8_BLOCK + ": " + dim);
            }
            Objects.requireNonNull(quants, "quants");
            Objects.requireNonNull(scales, "scales");
            if (quants.length != vocab * dim || scales.length != vocab * (dim / Q8_BLOCK)) {
                throw new IllegalArgumentException("q8 head arrays do not match " + vocab + " x " + dim);
            }
        }
    }

    /**
     * 4-bit rows with per-block scales, off the Java heap: row v takes {@link #rowBytes} bytes at
     * {@code v * rowBytes(dim)}: first its {@code dim / 32} f32 scales (little-endian), then per block
     * 16 bytes, byte j holding the signed 4-bit values j (low nibble) and j + 16 (high nibble), so
     * {@code E[v][32 b + j] ~ d_b * q}. 0.625 bytes per value (F16: 2).
     */
    public record Q4Rows(int vocab, int dim, MemorySegment data) {
        public Q4Rows {
            checkShape(vocab, dim);
            if (dim % Q4_BLOCK != 0) {
                throw new IllegalArgumentException("q4 head needs dim divisible by " + Q4_BLOCK + ": " + dim);
            }
            Objects.requireNonNull(data, "data");
            if (data.byteSize() != bytes(vocab, dim)) {
                throw new IllegalArgumentException("q4 head of " + vocab + " x " + dim + " takes " + bytes(vocab, dim)
                        + " bytes, the segment has " + data.byteSize());
            }
        }

        /** Bytes of one row: scales, then packed values. */
        public static long rowBytes(int dim) {
            return (long) dim / Q4_BLOCK * (4 + Q4_BLOCK / 2);
        }

        /** Bytes of a whole {@code vocab x dim} head. */
        public static long bytes(int vocab, int dim) {
            return vocab * rowBytes(dim);
        }

        /** The 4-bit code (-8..7) at row v, column d. */
        public int code(int v, int d) {
            int j = d % Q4_BLOCK;
            byte packed = data.get(ValueLayout.JAVA_BYTE, v * rowBytes(dim) + 4L * (dim / Q4_BLOCK)
                    + (long) (d / Q4_BLOCK) * (Q4_BLOCK / 2) + j % (Q4_BLOCK / 2));
            return j < Q4_BLOCK / 2 ? (packed << 28) >> 28 : packed >> 4;
        }

        /** The scale of block b of row v. */
        public float scale(int v, int b) {
            return data.get(F32, v * rowBytes(dim) + 4L * b);
        }
    }

    /**
     * 2-bit rows for a screening head ({@link #q2}), off the Java heap, in groups of {@link #GROUP}
     * rows interleaved so one group streams in order: per 32-value block, the 16 rows' scales as
     * bf16 (the high half of an f32; {@link #SCALE_BYTES}), then two 64-byte words, word w holding one
     * little-endian int per row with the codes of values {@code 16 w + e} at bits {@code 2e}. Value =
     * {@code d * (c - 1.5)}, c in 0..3 (four levels symmetric around zero). Rows past {@code vocab}
     * (the last group's padding) are zero. 10 bytes per 32 values: 0.3125 bytes per value (q4_0: 0.625,
     * F16: 2).
     */
    public record Q2Rows(int vocab, int dim, MemorySegment data) {
        /** Rows per interleaved group. */
        public static final int GROUP = 16;
        /** Values per scale. */
        public static final int BLOCK = 32;
        /** Bytes of a block's 16 scales. */
        public static final int SCALE_BYTES = 2 * GROUP;
        /** Bytes of one block of one group: scales, then the codes of 16 rows x 32 values. */
        public static final int BLOCK_BYTES = SCALE_BYTES + GROUP * BLOCK / 4;

        public Q2Rows {
            checkShape(vocab, dim);
            if (dim % BLOCK != 0) {
                throw new IllegalArgumentException("q2 head needs dim divisible by " + BLOCK + ": " + dim);
            }
            Objects.requireNonNull(data, "data");
            if (data.byteSize() != bytes(vocab, dim)) {
                throw new IllegalArgumentException("q2 head of " + vocab + " x " + dim + " takes " + bytes(vocab, dim)
                        + " bytes, the segment has " + data.byteSize());
            }
        }

        /** Bytes of one group of 16 rows. */
        public static long groupBytes(int dim) {
            return (long) dim / BLOCK * BLOCK_BYTES;
        }

        /** Bytes of a whole {@code vocab x dim} head (rows padded to whole groups). */
        public static long bytes(int vocab, int dim) {
            return groups(vocab) * groupBytes(dim);
        }

        static long groups(int vocab) {
            return (vocab + GROUP - 1) / GROUP;
        }

        /** Groups of this head. */
        public int groups() {
            return (int) groups(vocab);
        }

        /** The 2-bit code (0..3) at row v, column d. */
        public int code(int v, int d) {
            int b = d / BLOCK;
            int i = d % BLOCK;
            long word = (long) (v / GROUP) * groupBytes(dim) + (long) b * BLOCK_BYTES + SCALE_BYTES
                    + (long) (i / 16) * 4 * GROUP + 4L * (v % GROUP);
            return (data.get(I32, word) >>> (2 * (i % 16))) & 3;
        }

        /** The scale of block b of row v. */
        public float scale(int v, int b) {
            long at = (long) (v / GROUP) * groupBytes(dim) + (long) b * BLOCK_BYTES + 2L * (v % GROUP);
            return Float.intBitsToFloat((data.get(F16, at) & 0xFFFF) << 16);
        }

        /** The dequantized value at row v, column d. */
        public float value(int v, int d) {
            return scale(v, d / BLOCK) * (code(v, d) - 1.5f);
        }
    }

    /** The vector F16 head, reading {@code rows} in place. */
    public static LmHead f16(MemorySegment rows, int vocab, int dim) {
        checkSegment(rows, vocab, dim);
        return new TiledHead(new F16HeadRows(rows, vocab, dim));
    }

    /** Scalar reference for {@link #f16}. */
    public static LmHead f16Reference(MemorySegment rows, int vocab, int dim) {
        checkSegment(rows, vocab, dim);
        return new ScalarF16Head(rows, vocab, dim);
    }

    /** Quantizes F16 rows to q8 blocks (load time; rows split over {@code pool}). */
    public static Q8Rows quantizeQ8(MemorySegment f16Rows, int vocab, int dim, ComputePool pool) {
        checkSegment(f16Rows, vocab, dim);
        if (dim % Q8_BLOCK != 0) {
            throw new IllegalArgumentException("q8 head needs dim divisible by " + Q8_BLOCK + ": " + dim);
        }
        byte[] quants = new byte[vocab * dim];
        float[] scales = new float[vocab * (dim / Q8_BLOCK)];
        pool.parallelFor(0, vocab, (from, to) -> {
            float[] block = new float[Q8_BLOCK];
            for (int v = from; v < to; v++) {
                for (int b = 0; b < dim / Q8_BLOCK; b++) {
                    long base = ((long) v * dim + (long) b * Q8_BLOCK) * 2;
                    float amax = 0f;
                    for (int i = 0; i < Q8_BLOCK; i++) {
                        block[i] = Float.float16ToFloat(f16Rows.get(F16, base + 2L * i));
                        amax = Math.max(amax, Math.abs(block[i]));
                    }
                    float d = amax / 127f;
                    float inverse = d == 0f ? 0f : 1f / d;
                    int out = v * dim + b * Q8_BLOCK;
                    for (int i = 0; i < Q8_BLOCK; i++) {
                        quants[out + i] = (byte) Math.max(-127, Math.min(127, Math.round(block[i] * inverse)));
                    }
                    scales[v * (dim / Q8_BLOCK) + b] = d;
                }
            }
        });
        return new Q8Rows(vocab, dim, quants, scales);
    }

    /**
     * Quantizes F16 rows ({@code vocab x dim}) to q4 blocks into {@code dst} ({@link Q4Rows#bytes}
     * bytes, native memory; load time, rows split over {@code pool}). Per block of 32 values the
     * scale is {@code m / k} with m the value of largest magnitude and k one of a few steps from -8 to
     * -6.5 (m itself then maps to a code near -8, the end of the 4-bit range that has room), choosing
     * the k with the least squared error; codes are {@code round(e / d)} clamped to [-8, 7].
     */
    public static Q4Rows quantizeQ4(MemorySegment f16Rows, int vocab, int dim, MemorySegment dst, ComputePool pool) {
        checkSegment(f16Rows, vocab, dim);
        if (dim % Q4_BLOCK != 0) {
            throw new IllegalArgumentException("q4 head needs dim divisible by " + Q4_BLOCK + ": " + dim);
        }
        if (dst.byteSize() != Q4Rows.bytes(vocab, dim)) {
            throw new IllegalArgumentException("q4 head of " + vocab + " x " + dim + " takes " + Q4Rows.bytes(vocab, dim)
                    + " bytes, the segment has " + dst.byteSize());
        }
        long rowBytes = Q4Rows.rowBytes(dim);
        int blocks = dim / Q4_BLOCK;
        pool.parallelFor(0, vocab, (from, to) -> {
            float[] block = new float[Q4_BLOCK];
            int[] codes = new int[Q4_BLOCK];
            for (int v = from; v < to; v++) {
                long row = v * rowBytes;
                for (int b = 0; b < blocks; b++) {
                    long base = ((long) v * dim + (long) b * Q4_BLOCK) * 2;
                    for (int i = 0; i < Q4_BLOCK; i++) {
                        block[i] = Float.float16ToFloat(f16Rows.get(F16, base + 2L * i));
                    }
                    float d = quantizeQ4Block(block, codes);
                    dst.set(F32, row + 4L * b, d);
                    long packed = row + 4L * blocks + (long) b * (Q4_BLOCK / 2);
                    for (int j = 0; j < Q4_BLOCK / 2; j++) {
                        dst.set(ValueLayout.JAVA_BYTE, packed + j, (byte) ((codes[j] & 15) | (codes[j + Q4_BLOCK / 2] << 4)));
                    }
                }
            }
        });
        return new Q4Rows(vocab, dim, dst);
    }

    /** Codes in [-8, 7] for one block of 32 finite values and the scale they go with (see {@link #quantizeQ4}). */
    static float quantizeQ4Block(float[] block, int[] codes) {
        float max = 0f;
        for (float e : block) {
            if (Math.abs(e) > Math.abs(max)) {
                max = e;
            }
        }
        if (max == 0f || !Float.isFinite(max)) {
            java.util.Arrays.fill(codes, 0);
            return max == 0f ? 0f : Float.NaN;
        }
        float bestScale = 0f;
        double bestError = Double.POSITIVE_INFINITY;
        for (int c = 0; c < Q4_SCALE_CANDIDATES; c++) {
            float d = max / (-8f + 0.25f * c);
            float inverse = 1f / d;
            double error = 0;
            for (float e : block) {
                int q = Math.max(-8, Math.min(7, Math.round(e * inverse)));
                double diff = e - q * d;
                error += diff * diff;
            }
            if (error < bestError) {
                bestError = error;
                bestScale = d;
            }
        }
        float inverse = 1f / bestScale;
        for (int i = 0; i < block.length; i++) {
            codes[i] = Math.max(-8, Math.min(7, Math.round(block[i] * inverse)));
        }
        return bestScale;
    }

    /** The vector q4 head alone: every logit at q4 accuracy. */
    public static LmHead q4(Q4Rows rows) {
        return new TiledHead(new Q4HeadRows(rows));
    }

    /**
     * The vector q4 head with exact rescoring (as {@link #q8(Q8Rows, LmHead)}): the best q4 candidates
     * of each token get {@code exact}'s logits, so the top token is the exact head's whenever the exact
     * argmax is among them.
     */
    public static LmHead q4(Q4Rows rows, LmHead exact) {
        return new RescoredHead(q4(rows), exact);
    }

    /** Scalar reference for {@link #q4}: per block, {@code sum q*x} then times the block scale. */
    public static LmHead q4Reference(Q4Rows rows) {
        return new ScalarQ4Head(rows);
    }

    /**
     * Quantizes F16 rows ({@code vocab x dim}) to {@link Q2Rows} into {@code dst} ({@link Q2Rows#bytes}
     * bytes, native memory, zeroed; load time, groups split over {@code pool}). Per row and block of 32
     * the scale is {@code amax / s} for a few s from 1.5 up, rounded to bf16, keeping the one with the
     * least squared error; codes are {@code floor(e / d) + 2} clamped to 0..3 (the nearest level).
     */
    public static Q2Rows quantizeQ2(MemorySegment f16Rows, int vocab, int dim, MemorySegment dst, ComputePool pool) {
        checkSegment(f16Rows, vocab, dim);
        if (dim % Q2Rows.BLOCK != 0) {
            throw new IllegalArgumentException("q2 head needs dim divisible by " + Q2Rows.BLOCK + ": " + dim);
        }
        if (dst.byteSize() != Q2Rows.bytes(vocab, dim)) {
            throw new IllegalArgumentException("q2 head of " + vocab + " x " + dim + " takes " + Q2Rows.bytes(vocab, dim)
                    + " bytes, the segment has " + dst.byteSize());
        }
        long groupBytes = Q2Rows.groupBytes(dim);
        int blocks = dim / Q2Rows.BLOCK;
        pool.parallelFor(0, (int) Q2Rows.groups(vocab), (from, to) -> {
            float[] block = new float[Q2Rows.BLOCK];
            int[] codes = new int[Q2Rows.BLOCK];
            for (int g = from; g < to; g++) {
                for (int r = 0; r < Q2Rows.GROUP && g * Q2Rows.GROUP + r < vocab; r++) {
                    int v = g * Q2Rows.GROUP + r;
                    for (int b = 0; b < blocks; b++) {
                        long source = ((long) v * dim + (long) b * Q2Rows.BLOCK) * 2;
                        for (int i = 0; i < Q2Rows.BLOCK; i++) {
                            block[i] = Float.float16ToFloat(f16Rows.get(F16, source + 2L * i));
                        }
                        short scale = quantizeQ2Block(block, codes);
                        long at = g * groupBytes + (long) b * Q2Rows.BLOCK_BYTES;
                        dst.set(F16, at + 2L * r, scale);
                        for (int w = 0; w < 2; w++) {
                            int word = 0;
                            for (int e = 0; e < 16; e++) {
                                word |= codes[16 * w + e] << (2 * e);
                            }
                            dst.set(I32, at + Q2Rows.SCALE_BYTES + (long) w * 4 * Q2Rows.GROUP + 4L * r, word);
                        }
                    }
                }
            }
        });
        return new Q2Rows(vocab, dim, dst);
    }

    /** Codes 0..3 for one block of 32 finite values and the bf16 bits of the scale they go with. */
    static short quantizeQ2Block(float[] block, int[] codes) {
        float amax = 0f;
        for (float e : block) {
            amax = Math.max(amax, Math.abs(e));
        }
        if (amax == 0f || !Float.isFinite(amax)) {
            java.util.Arrays.fill(codes, 2);
            return amax == 0f ? 0 : (short) 0x7FC0;
        }
        float bestScale = 0f;
        double bestError = Double.POSITIVE_INFINITY;
        for (int c = 0; c < Q2_SCALE_CANDIDATES; c++) {
            float d = bf16(amax / (1.5f + 0.1f * c));
            double error = 0;
            for (float e : block) {
                double diff = e - (q2Code(e, d) - 1.5f) * d;
                error += diff * diff;
            }
            if (error < bestError) {
                bestError = error;
                bestScale = d;
            }
        }
        for (int i = 0; i < block.length; i++) {
            codes[i] = q2Code(block[i], bestScale);
        }
        return (short) (Float.floatToRawIntBits(bestScale) >>> 16);
    }

    private static int q2Code(float e, float d) {
        return Math.max(0, Math.min(3, (int) Math.floor(e / d) + 2));
    }

    /** {@code f} rounded to the nearest bf16 (the high half of its bits), ties to even. */
    private static float bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    /** The 2-bit head alone: a screening approximation of every logit. */
    public static LmHead q2(Q2Rows rows) {
        return new Q2Head(rows);
    }

    /**
     * The 2-bit head with exact rescoring of its {@link #Q2_CANDIDATES} best candidates per token by
     * {@code exact}: the top token is the exact head's whenever the exact argmax is among them.
     */
    public static LmHead q2(Q2Rows rows, LmHead exact) {
        return new RescoredHead(q2(rows), exact, Q2_CANDIDATES);
    }

    /** Scalar reference for {@link #q2}: per block, {@code sum (c - 1.5) * x} then times the block scale. */
    public static LmHead q2Reference(Q2Rows rows) {
        return new ScalarQ2Head(rows);
    }

    /** The vector q8 head alone: every logit at q8 accuracy. */
    public static LmHead q8(Q8Rows rows) {
        return new TiledHead(new Q8HeadRows(rows));
    }

    /**
     * The vector q8 head with exact rescoring: per token, the {@link RescoredHead#CANDIDATES} best q8
     * logits are replaced by {@code exact}'s values for those rows, so the top token agrees with the
     * exact head whenever the exact argmax is among them. {@code exact} must have the same shape.
     */
    public static LmHead q8(Q8Rows rows, LmHead exact) {
        return new RescoredHead(q8(rows), exact);
    }

    /** Scalar reference for {@link #q8}: per block, {@code sum q*x} then times the block scale. */
    public static LmHead q8Reference(Q8Rows rows) {
        return new ScalarQ8Head(rows);
    }

    private static void checkShape(int vocab, int dim) {
        if (vocab <= 0 || dim <= 0 || (long) vocab * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad LM head shape " + vocab + " x " + dim);
        }
    }

    private static void checkSegment(MemorySegment rows, int vocab, int dim) {
        checkShape(vocab, dim);
        long needed = (long) vocab * dim * 2;
        if (rows.byteSize() < needed) {
            throw new IllegalArgumentException("F16 head needs " + needed + " bytes, segment has " + rows.byteSize());
        }
    }

    /** The scalar references: one row times one token at a time, rows split over the pool. */
    private abstract static class ScalarHead implements LmHead {
        final int vocab;
        final int dim;

        ScalarHead(int vocab, int dim) {
            this.vocab = vocab;
            this.dim = dim;
        }

        @Override
        public int vocab() {
            return vocab;
        }

        @Override
        public int dim() {
            return dim;
        }

        @Override
        public void logits(float[] x, int tokens, float[] out, ComputePool pool) {
            HeadChecks.input(x, tokens, dim, out, vocab);
            pool.parallelFor(0, vocab, (from, to) -> {
                for (int v = from; v < to; v++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t * vocab + v] = rowTimesToken(v, x, t);
                    }
                }
            });
        }

        @Override
        public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
            HeadChecks.rowIds(rowIds, vocab);
            HeadChecks.input(x, tokens, dim, out, rowIds.length);
            for (int i = 0; i < rowIds.length; i++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * rowIds.length + i] = rowTimesToken(rowIds[i], x, t);
                }
            }
        }

        abstract float rowTimesToken(int row, float[] x, int token);
    }

    private static final class ScalarF16Head extends ScalarHead {
        private final MemorySegment rows;

        ScalarF16Head(MemorySegment rows, int vocab, int dim) {
            super(vocab, dim);
            this.rows = rows;
        }

        @Override
        float rowTimesToken(int row, float[] x, int token) {
            long base = (long) row * dim * 2;
            int xo = token * dim;
            float sum = 0f;
            for (int d = 0; d < dim; d++) {
                sum += Float.float16ToFloat(rows.get(F16, base + 2L * d)) * x[xo + d];
            }
            return sum;
        }
    }

    private static final class ScalarQ8Head extends ScalarHead {
        private final Q8Rows q8;

        ScalarQ8Head(Q8Rows q8) {
            super(q8.vocab(), q8.dim());
            this.q8 = q8;
        }

        @Override
        float rowTimesToken(int row, float[] x, int token) {
            byte[] q = q8.quants();
            float[] scales = q8.scales();
            int blocks = dim / Q8_BLOCK;
            float sum = 0f;
            for (int b = 0; b < blocks; b++) {
                int qo = row * dim + b * Q8_BLOCK;
                int xo = token * dim + b * Q8_BLOCK;
                float blockSum = 0f;
                for (int i = 0; i < Q8_BLOCK; i++) {
                    blockSum += q[qo + i] * x[xo + i];
                }
                sum += blockSum * scales[row * blocks + b];
            }
            return sum;
        }
    }

    private static final class ScalarQ4Head extends ScalarHead {
        private final Q4Rows q4;

        ScalarQ4Head(Q4Rows q4) {
            super(q4.vocab(), q4.dim());
            this.q4 = q4;
        }

        @Override
        float rowTimesToken(int row, float[] x, int token) {
            int blocks = dim / Q4_BLOCK;
            float sum = 0f;
            for (int b = 0; b < blocks; b++) {
                float blockSum = 0f;
                for (int i = 0; i < Q4_BLOCK; i++) {
                    int d = b * Q4_BLOCK + i;
                    blockSum += q4.code(row, d) * x[token * dim + d];
                }
                sum += blockSum * q4.scale(row, b);
            }
            return sum;
        }
    }

    private static final class ScalarQ2Head extends ScalarHead {
        private final Q2Rows q2;

        ScalarQ2Head(Q2Rows q2) {
            super(q2.vocab(), q2.dim());
            this.q2 = q2;
        }

        @Override
        float rowTimesToken(int row, float[] x, int token) {
            int blocks = dim / Q2Rows.BLOCK;
            float sum = 0f;
            for (int b = 0; b < blocks; b++) {
                float blockSum = 0f;
                for (int i = 0; i < Q2Rows.BLOCK; i++) {
                    int d = b * Q2Rows.BLOCK + i;
                    blockSum += (q2.code(row, d) - 1.5f) * x[token * dim + d];
                }
                sum += blockSum * q2.scale(row, b);
            }
            return sum;
        }
    }

    /** The vector width the head kernels use (512 or 256 bits). */
    public static int vectorBits() {
        return FloatLanes.SPECIES.vectorBitSize();
    }
}

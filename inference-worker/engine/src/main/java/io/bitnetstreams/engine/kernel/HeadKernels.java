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

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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

    /** The vector width the head kernels use (512 or 256 bits). */
    public static int vectorBits() {
        return FloatLanes.SPECIES.vectorBitSize();
    }
}

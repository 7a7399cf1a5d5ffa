package io.bitnetstreams.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float LM-head kernels ({@link LmHead}) over an embedding matrix of {@code vocab x dim}
 * little-endian F16 values, as it lies in the memory-mapped GGUF file (row v = token v).
 *
 * <ul>
 *   <li>{@link #f16}: reads the F16 rows in place (no copy), converts to f32 lanes and FMAs.</li>
 *   <li>{@link #quantizeQ8} + {@link #q8}: an int8 copy with one f32 scale per 32-value block
 *       (q8_0 style: {@code d = max|e| / 127}, {@code q = round(e / d)}, halves rounded up), built once at load time;
 *       half the bytes per token of F16 (decode is memory bound), at q8_0 accuracy.</li>
 *   <li>{@link #f16Reference}, {@link #q8Reference}: plain scalar loops the vector kernels are tested
 *       against (float sums in a different order, so equal within rounding, not bit for bit).</li>
 * </ul>
 * Vectors are 512 bits wide when the CPU runs them natively, else 256.
 */
public final class HeadKernels {

    /** Values per q8 block (one scale each). */
    public static final int Q8_BLOCK = 32;

    private static final VectorSpecies<Float> F = Kernels.maxVectorBits() >= 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512.length() == F.length()
            ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = F.length() == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final int LANES = F.length();
    /** F16 values per int vector load (two per int lane). */
    private static final int HALF_CHUNK = 2 * LANES;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int TOKEN_TILE = 4;
    /** Row ranges per thread, claimed dynamically (see {@link ComputePool#parallelForChunks}). */
    private static final int CHUNKS_PER_THREAD = 8;

    /** Lane rotations for {@link #sumLanes}. */
    private static final VectorShuffle<Float> ROTATE_8 = VectorShuffle.iota(F, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> ROTATE_2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> ROTATE_1 = VectorShuffle.iota(F, 1, 1, true);

    private HeadKernels() {
    }

    /**
     * The lane sum in one fixed tree order. {@code reduceLanes(ADD)} may add float lanes in any
     * order, and interpreted and compiled code do differ, so the same logit could change between
     * calls; lane-wise adds of rotations are exact IEEE operations in every tier.
     */
    private static float sumLanes(FloatVector v) {
        FloatVector s = v;
        if (LANES == 16) {
            s = s.add(s.rearrange(ROTATE_8));
        }
        s = s.add(s.rearrange(ROTATE_4));
        s = s.add(s.rearrange(ROTATE_2));
        s = s.add(s.rearrange(ROTATE_1));
        return s.lane(0);
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
        return new F16Head(rows, vocab, dim);
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

    /** The vector q8 head. */
    public static LmHead q8(Q8Rows rows) {
        return new Q8Head(rows);
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

    /** The shared driver: subclasses compute one row for one token or for four tokens. */
    private abstract static class Head implements LmHead {
        final int vocab;
        final int dim;

        Head(int vocab, int dim) {
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
            check(x, tokens, out, vocab);
            float[] prepared = prepareInput(x, tokens);
            pool.parallelForChunks(0, vocab, CHUNKS_PER_THREAD * pool.threads(), (from, to) -> {
                for (int v = from; v < to; v++) {
                    computeRow(v, prepared, tokens, out, v, vocab);
                }
            });
        }

        @Override
        public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
            for (int id : rowIds) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("row id " + id + " outside [0, " + vocab + ")");
                }
            }
            check(x, tokens, out, rowIds.length);
            float[] prepared = prepareInput(x, tokens);
            pool.parallelFor(0, rowIds.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    computeRow(rowIds[i], prepared, tokens, out, i, rowIds.length);
                }
            });
        }

        private void check(float[] x, int tokens, float[] out, int outRows) {
            if (tokens < 0 || x.length < (long) tokens * dim) {
                throw new IllegalArgumentException("x holds " + x.length + " floats, " + tokens + " tokens need " + (long) tokens * dim);
            }
            if (out.length < (long) tokens * outRows) {
                throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + (long) tokens * outRows);
            }
        }

        /** The input in the layout the row kernel reads (default: as given). */
        float[] prepareInput(float[] x, int tokens) {
            return x;
        }

        private void computeRow(int row, float[] x, int tokens, float[] out, int outColumn, int outStride) {
            int t = 0;
            for (; t + TOKEN_TILE <= tokens; t += TOKEN_TILE) {
                rowTimesFour(row, x, t, out, t * outStride + outColumn, outStride);
            }
            for (; t < tokens; t++) {
                out[t * outStride + outColumn] = rowTimesOne(row, x, t);
            }
        }

        abstract float rowTimesOne(int row, float[] x, int token);

        /** Four tokens from {@code token}; writes out[outIndex + i * outStride] for i = 0..3. */
        void rowTimesFour(int row, float[] x, int token, float[] out, int outIndex, int outStride) {
            for (int i = 0; i < TOKEN_TILE; i++) {
                out[outIndex + i * outStride] = rowTimesOne(row, x, token + i);
            }
        }
    }

    private static final class ScalarF16Head extends Head {
        private final MemorySegment rows;

        ScalarF16Head(MemorySegment rows, int vocab, int dim) {
            super(vocab, dim);
            this.rows = rows;
        }

        @Override
        float rowTimesOne(int row, float[] x, int token) {
            long base = (long) row * dim * 2;
            int xo = token * dim;
            float sum = 0f;
            for (int d = 0; d < dim; d++) {
                sum += Float.float16ToFloat(rows.get(F16, base + 2L * d)) * x[xo + d];
            }
            return sum;
        }
    }

    private static final class ScalarQ8Head extends Head {
        private final Q8Rows q8;

        ScalarQ8Head(Q8Rows q8) {
            super(q8.vocab(), q8.dim());
            this.q8 = q8;
        }

        @Override
        float rowTimesOne(int row, float[] x, int token) {
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

    /**
     * F16 rows loaded as int lanes (two halves each) and converted in registers. The input is
     * de-interleaved per chunk of {@code 2 * LANES} values (even positions, then odd) to match.
     */
    private static final class F16Head extends Head {
        private final MemorySegment rows;
        private final int vectorDim;

        F16Head(MemorySegment rows, int vocab, int dim) {
            super(vocab, dim);
            this.rows = rows;
            this.vectorDim = dim - dim % HALF_CHUNK;
        }

        @Override
        float[] prepareInput(float[] x, int tokens) {
            float[] split = new float[tokens * dim];
            for (int t = 0; t < tokens; t++) {
                int o = t * dim;
                for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
                    for (int i = 0; i < LANES; i++) {
                        split[o + c + i] = x[o + c + 2 * i];
                        split[o + c + LANES + i] = x[o + c + 2 * i + 1];
                    }
                }
                System.arraycopy(x, o + vectorDim, split, o + vectorDim, dim - vectorDim);
            }
            return split;
        }

        @Override
        float rowTimesOne(int row, float[] x, int token) {
            long base = (long) row * dim * 2;
            int xo = token * dim;
            // The same operation order as rowTimesFour: a token's logit must not depend on how many
            // tokens share the call (batched prefill equals token-by-token decoding bit for bit).
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
                IntVector h = IntVector.fromMemorySegment(I, rows, base + 2L * c, ByteOrder.LITTLE_ENDIAN);
                FloatVector even = halfToFloat(h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3));
                FloatVector odd = halfToFloat(h.lanewise(VectorOperators.ASHR, 3));
                acc0 = even.fma(FloatVector.fromArray(F, x, xo + c), acc0);
                acc1 = odd.fma(FloatVector.fromArray(F, x, xo + c + LANES), acc1);
            }
            float sum = sumLanes(acc0.add(acc1));
            for (int d = vectorDim; d < dim; d++) {
                sum += Float.float16ToFloat(rows.get(F16, base + 2L * d)) * x[xo + d];
            }
            return sum;
        }

        @Override
        void rowTimesFour(int row, float[] x, int token, float[] out, int outIndex, int outStride) {
            long base = (long) row * dim * 2;
            int x0 = token * dim;
            int x1 = x0 + dim;
            int x2 = x1 + dim;
            int x3 = x2 + dim;
            // Per token the same even/odd accumulators as rowTimesOne.
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = FloatVector.zero(F);
            FloatVector e2 = FloatVector.zero(F);
            FloatVector e3 = FloatVector.zero(F);
            FloatVector o0 = FloatVector.zero(F);
            FloatVector o1 = FloatVector.zero(F);
            FloatVector o2 = FloatVector.zero(F);
            FloatVector o3 = FloatVector.zero(F);
            for (int c = 0; c < vectorDim; c += HALF_CHUNK) {
                IntVector h = IntVector.fromMemorySegment(I, rows, base + 2L * c, ByteOrder.LITTLE_ENDIAN);
                FloatVector even = halfToFloat(h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3));
                FloatVector odd = halfToFloat(h.lanewise(VectorOperators.ASHR, 3));
                e0 = even.fma(FloatVector.fromArray(F, x, x0 + c), e0);
                o0 = odd.fma(FloatVector.fromArray(F, x, x0 + c + LANES), o0);
                e1 = even.fma(FloatVector.fromArray(F, x, x1 + c), e1);
                o1 = odd.fma(FloatVector.fromArray(F, x, x1 + c + LANES), o1);
                e2 = even.fma(FloatVector.fromArray(F, x, x2 + c), e2);
                o2 = odd.fma(FloatVector.fromArray(F, x, x2 + c + LANES), o2);
                e3 = even.fma(FloatVector.fromArray(F, x, x3 + c), e3);
                o3 = odd.fma(FloatVector.fromArray(F, x, x3 + c + LANES), o3);
            }
            float[] sums = {sumLanes(e0.add(o0)), sumLanes(e1.add(o1)), sumLanes(e2.add(o2)), sumLanes(e3.add(o3))};
            for (int i = 0; i < TOKEN_TILE; i++) {
                int xo = x0 + i * dim;
                float sum = sums[i];
                for (int d = vectorDim; d < dim; d++) {
                    sum += Float.float16ToFloat(rows.get(F16, base + 2L * d)) * x[xo + d];
                }
                out[outIndex + i * outStride] = sum;
            }
        }

        /**
         * F16 -> F32 for a half whose sign sits in bit 31 and exponent/mantissa in bits 13..27 of
         * {@code bits} (other bits ignored): exact for normals and subnormals (scaling by 2^112 is
         * exact and keeps the sign), with infinities and NaNs mapped like {@link Float#float16ToFloat}.
         */
        private static FloatVector halfToFloat(IntVector bits) {
            IntVector signed = bits.and(0x8FFFE000);
            IntVector finite = signed.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            VectorMask<Integer> special = bits.and(0x0F800000).compare(VectorOperators.EQ, 0x0F800000);
            return finite.blend(signed.or(0x70000000), special).reinterpretAsFloats();
        }
    }

    private static final class Q8Head extends Head {
        private static final int PARTS = Q8_BLOCK / LANES;
        private final byte[] quants;
        private final float[] scales;
        private final int blocks;

        Q8Head(Q8Rows q8) {
            super(q8.vocab(), q8.dim());
            this.quants = q8.quants();
            this.scales = q8.scales();
            this.blocks = dim / Q8_BLOCK;
        }

        @Override
        float rowTimesOne(int row, float[] x, int token) {
            int qo = row * dim;
            int xo = token * dim;
            int so = row * blocks;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                int o = b * Q8_BLOCK;
                FloatVector block = FloatVector.zero(F);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector w = (FloatVector) ByteVector.fromArray(B, quants, qo + o + p * LANES)
                            .convertShape(VectorOperators.B2F, F, 0);
                    block = w.fma(FloatVector.fromArray(F, x, xo + o + p * LANES), block);
                }
                acc = block.fma(FloatVector.broadcast(F, scales[so + b]), acc);
            }
            return sumLanes(acc);
        }

        @Override
        void rowTimesFour(int row, float[] x, int token, float[] out, int outIndex, int outStride) {
            int qo = row * dim;
            int x0 = token * dim;
            int x1 = x0 + dim;
            int x2 = x1 + dim;
            int x3 = x2 + dim;
            int so = row * blocks;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                int o = b * Q8_BLOCK;
                FloatVector b0 = FloatVector.zero(F);
                FloatVector b1 = FloatVector.zero(F);
                FloatVector b2 = FloatVector.zero(F);
                FloatVector b3 = FloatVector.zero(F);
                for (int p = 0; p < PARTS; p++) {
                    int k = o + p * LANES;
                    FloatVector w = (FloatVector) ByteVector.fromArray(B, quants, qo + k)
                            .convertShape(VectorOperators.B2F, F, 0);
                    b0 = w.fma(FloatVector.fromArray(F, x, x0 + k), b0);
                    b1 = w.fma(FloatVector.fromArray(F, x, x1 + k), b1);
                    b2 = w.fma(FloatVector.fromArray(F, x, x2 + k), b2);
                    b3 = w.fma(FloatVector.fromArray(F, x, x3 + k), b3);
                }
                FloatVector d = FloatVector.broadcast(F, scales[so + b]);
                a0 = b0.fma(d, a0);
                a1 = b1.fma(d, a1);
                a2 = b2.fma(d, a2);
                a3 = b3.fma(d, a3);
            }
            out[outIndex] = sumLanes(a0);
            out[outIndex + outStride] = sumLanes(a1);
            out[outIndex + 2 * outStride] = sumLanes(a2);
            out[outIndex + 3 * outStride] = sumLanes(a3);
        }
    }

    /** The vector width the head kernels use (512 or 256 bits). */
    public static int vectorBits() {
        return F.vectorBitSize();
    }
}

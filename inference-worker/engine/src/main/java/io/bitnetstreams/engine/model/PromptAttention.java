package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention of a sequence's multi-token step (a prompt or a chunk of one), in the reference's
 * orders of {@link Attention} (Q·K: {@code vec_dot_f16}; P·V: tinyBLAS's 16 chains), on 16-float
 * vectors only.
 *
 * <p>Why a separate path: a prompt of n tokens has n/8 row blocks per key/value head, and each of
 * them reads every key and value it sees. Converting those from F16 per block costs n²/16 conversions
 * per head, and the per-position P·V (one accumulator row per chain, loaded and stored for every
 * position) is bound by L2 traffic; both grow with the prompt, so the cost per token grew with its
 * length. Here the keys and values of the visible positions are converted once per step and layer
 * ({@link #convert}, spread over the pool), into 64-byte aligned native memory (a heap array's vector
 * loads straddle cache lines), keys as rows, values <em>transposed</em> (per head and element, the
 * positions in a row). Then P·V of one output element is a plain vector loop over positions whose lane
 * {@code l} is exactly tinyBLAS's chain {@code j mod 16}: 16 accumulators (4 queries x 4 elements)
 * stay in registers over the whole row, 8 loads per 16 fused multiply-adds, and the 16 lane trees
 * finish side by side with {@link Attention#merge}. Positions past a query's last visible one (up to
 * the next multiple of 16) have probability +0, so they add +0 products to chains that are never -0
 * (every chain starts with {@code fma(v, p, +0)}): the same bits as skipping them.
 */
final class PromptAttention {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int W = Attention.W;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    /** Positions converted per piece of work in {@link #convert}. */
    private static final int CONVERT_CHUNK = 64;
    /** Converted keys/values per calling thread (the forward pass's thread), reused by every later step. */
    private static final ThreadLocal<Converted[]> CONVERTED = ThreadLocal.withInitial(() -> new Converted[0]);

    private PromptAttention() {
    }

    /** Whether {@link #block} serves this sequence on this CPU (16-float vectors, head size a multiple of 64). */
    static boolean serves(Attention.Shape shape, Attention.Rows s) {
        return Attention.NATIVE_W && s.rows() > 1 && shape.headDim() % (4 * W) == 0;
    }

    /**
     * One sequence's keys and values of positions {@code 0 .. visible} as floats: keys at
     * {@code [kvHead][position][element]}, values transposed at {@code [kvHead][element][position]},
     * rows of {@code padded} positions (a multiple of 16, the tail of each value row +0).
     */
    static final class Converted {
        private float[] keys = new float[0];
        private MemorySegment values = MemorySegment.NULL;
        private int headDim;
        private int visible;
        private int padded;
        /** Floats from one value row to the next: an odd number of cache lines, so rows fall in different L1 sets. */
        private int rowStride;

        void prepare(Attention.Shape shape, int visibleCount) {
            headDim = shape.headDim();
            visible = visibleCount;
            padded = (visibleCount + W - 1) / W * W;
            rowStride = padded / W % 2 == 1 ? padded : padded + W;
            long bytes = (long) shape.kvHeads() * rowStride * headDim * Float.BYTES;
            if (values.byteSize() < bytes) {
                long capacity = Math.max(bytes, values.byteSize() + values.byteSize() / 2);
                values = Arena.ofAuto().allocate(capacity, 64);
            }
            if (keys.length < shape.kvHeads() * padded * headDim) {
                keys = new float[Math.max(shape.kvHeads() * padded * headDim, keys.length + keys.length / 2)];
            }
        }

        int keyOffset(int kvHead, int position) {
            return (kvHead * padded + position) * headDim;
        }

        long valueOffset(int kvHead, int element, int position) {
            return (((long) kvHead * headDim + element) * rowStride + position) * Float.BYTES;
        }
    }

    /** Per-thread reusable holders for the sequences of one call (grown, never shrunk). */
    static Converted[] holders(int count) {
        Converted[] held = CONVERTED.get();
        if (held.length < count) {
            Converted[] grown = java.util.Arrays.copyOf(held, count);
            for (int i = held.length; i < count; i++) {
                grown[i] = new Converted();
            }
            CONVERTED.set(grown);
            held = grown;
        }
        return held;
    }

    /**
     * Converts the visible keys and values of every sequence {@code i} with {@code converted[i] != null}
     * from F16, in chunks of positions spread over the pool.
     */
    static void convert(ComputePool pool, Attention.Shape shape, Attention.Rows[] sequences, Converted[] converted) {
        int chunks = 0;
        for (int i = 0; i < sequences.length; i++) {
            if (converted[i] != null) {
                chunks += (converted[i].visible + CONVERT_CHUNK - 1) / CONVERT_CHUNK;
            }
        }
        int[] sequence = new int[chunks];
        int[] first = new int[chunks];
        int c = 0;
        for (int i = 0; i < sequences.length; i++) {
            if (converted[i] != null) {
                for (int j = 0; j < converted[i].visible; j += CONVERT_CHUNK, c++) {
                    sequence[c] = i;
                    first[c] = j;
                }
            }
        }
        pool.parallelForChunks(0, chunks, chunks, (from, to) -> {
            float[] row = new float[shape.kvDim()];
            for (int k = from; k < to; k++) {
                Converted target = converted[sequence[k]];
                int j0 = first[k];
                convertPositions(shape, sequences[sequence[k]].parts(), target, j0,
                        Math.min(CONVERT_CHUNK, target.visible - j0), row);
            }
        });
    }

    private static void convertPositions(Attention.Shape shape, Attention.Parts parts, Converted target, int j0, int n,
                                         float[] row) {
        int kvDim = shape.kvDim();
        int headDim = shape.headDim();
        int part = 0;
        int start = 0;
        for (int j = j0; j < j0 + n; j++) {
            while (j - start >= parts.lengths()[part]) {
                start += parts.lengths()[part];
                part++;
            }
            int src = (j - start) * kvDim;
            toFloats(parts.keys()[part], src, row, kvDim);
            for (int h = 0; h < shape.kvHeads(); h++) {
                System.arraycopy(row, h * headDim, target.keys, target.keyOffset(h, j), headDim);
            }
            toFloats(parts.values()[part], src, row, kvDim);
            for (int h = 0; h < shape.kvHeads(); h++) {
                for (int d = 0; d < headDim; d++) {
                    target.values.set(FLOAT, target.valueOffset(h, d, j), row[h * headDim + d]);
                }
            }
        }
        if (j0 + n == target.visible) {
            for (int h = 0; h < shape.kvHeads(); h++) {
                for (int d = 0; d < headDim; d++) {
                    for (int j = target.visible; j < target.padded; j++) {
                        target.values.set(FLOAT, target.valueOffset(h, d, j), 0f);
                    }
                }
            }
        }
    }

    /** A plain loop C2 turns into vector conversions (vcvtph2ps with F16C/AVX-512). */
    private static void toFloats(short[] src, int from, float[] dst, int n) {
        for (int d = 0; d < n; d++) {
            dst[d] = Float.float16ToFloat(src[from + d]);
        }
    }

    /**
     * One unit: rows {@code r0 .. r0 + nr} of {@code s} times query heads {@code h0 .. h0 + nh} (all of
     * one key/value head), over {@code kv} (the sequence's converted keys and values).
     */
    static void block(Attention.Shape shape, Attention.Rows s, Converted kv, int r0, int nr, int h0, int nh,
                      float[] q, float[] out, Attention.Scratch scratch) {
        int headDim = shape.headDim();
        int dim = shape.dim();
        int kvHead = h0 / shape.group();
        int firstVisible = s.firstVisible() + r0;
        int maxVisible = firstVisible + nr - 1;
        int stride = (maxVisible + W - 1) / W * W;
        stride = stride / W % 2 == 1 ? stride : stride + W;
        int nq = nr * nh;
        scratch.ensure(nq, stride, headDim, 0);
        float[] queries = scratch.queries;
        for (int r = 0; r < nr; r++) {
            for (int hh = 0; hh < nh; hh++) {
                int src = (s.firstRow() + r0 + r) * dim + (h0 + hh) * headDim;
                int dst = (r * nh + hh) * headDim;
                for (int d = 0; d < headDim; d++) {
                    queries[dst + d] = Float.float16ToFloat(Float.floatToFloat16(q[src + d]));
                }
            }
        }
        float[] scores = scratch.scores;
        scores(shape, kv, kvHead, firstVisible, nr, nh, queries, scores, stride);
        for (int r = 0; r < nr; r++) {
            int visible = firstVisible + r;
            int padded = (visible + W - 1) / W * W;
            for (int hh = 0; hh < nh; hh++) {
                int row = (r * nh + hh) * stride;
                ReferenceSoftmax.softmax(scores, row, visible);
                java.util.Arrays.fill(scores, row + visible, row + padded, 0f);
            }
        }
        float[] lanes = scratch.lanes;
        for (int r = 0; r < nr; r++) {
            int padded = (firstVisible + r + W - 1) / W * W;
            int outRow = (s.firstRow() + r0 + r) * dim;
            for (int hh = 0; hh < nh; hh += 4) {
                // four queries of this row (the last one repeated when fewer are left)
                int p0 = (r * nh + hh) * stride;
                int p1 = (r * nh + Math.min(hh + 1, nh - 1)) * stride;
                int p2 = (r * nh + Math.min(hh + 2, nh - 1)) * stride;
                int p3 = (r * nh + Math.min(hh + 3, nh - 1)) * stride;
                int heads = Math.min(4, nh - hh);
                for (int d = 0; d < headDim; d += 4) {
                    weighted4x4(scores, p0, p1, p2, p3, padded, kv.values, kv.valueOffset(kvHead, d, 0),
                            (long) kv.rowStride * Float.BYTES, lanes);
                    for (int k = 0; k < heads; k++) {
                        System.arraycopy(lanes, 4 * k, out, outRow + (h0 + hh + k) * headDim + d, 4);
                    }
                }
            }
        }
    }

    /**
     * Scaled Q·K of every query of the unit with every position it sees, in tiles of
     * {@link Attention#TILE} keys that all queries of the unit use while they are in cache.
     */
    private static void scores(Attention.Shape shape, Converted kv, int kvHead, int firstVisible, int nr, int nh,
                               float[] queries, float[] scores, int stride) {
        int headDim = shape.headDim();
        int maxVisible = firstVisible + nr - 1;
        float scale = shape.scale();
        float[] keys = kv.keys;
        float[] partial = new float[4 * W]; // one per unit: small, and C2 may drop it
        for (int jt = 0; jt < maxVisible; jt += Attention.TILE) {
            int n = Math.min(Attention.TILE, maxVisible - jt);
            int tile = kv.keyOffset(kvHead, jt);
            for (int r = Math.max(0, jt - firstVisible + 1); r < nr; r++) {
                int count = Math.min(n, firstVisible + r - jt);
                for (int hh = 0; hh < nh; hh++) {
                    int qi = r * nh + hh;
                    int row = qi * stride + jt;
                    int t = 0;
                    if (headDim == 128) {
                        for (; t + W <= count; t += W) {
                            dots16Of128(queries, qi * headDim, keys, tile + t * headDim, partial, scale, scores,
                                    row + t);
                        }
                    }
                    for (; t + W <= count; t += W) {
                        dots16(queries, qi * headDim, keys, tile + t * headDim, headDim, partial, scale, scores,
                                row + t);
                    }
                    for (; t < count; t++) {
                        scores[row + t] = Attention.f16Dot(queries, qi * headDim, keys, tile + t * headDim, headDim)
                                * scale;
                    }
                }
            }
        }
    }

    /**
     * tinyBLAS's P·V for four queries (probabilities at {@code p0..p3}) and four output elements (value
     * rows at {@code v}, {@code v + rowBytes}, ...): lane {@code l} of each accumulator is the chain of
     * positions {@code j mod 16 == l}; the 16 chain trees then run merged, and lane {@code 4k + e} of
     * the merged vector (query k's element e) goes to {@code lanes[4k + e]}. One method for the reason
     * given at {@link #dots16}.
     */
    private static void weighted4x4(float[] p, int p0, int p1, int p2, int p3, int padded,
                                    MemorySegment values, long v, long rowBytes, float[] lanes) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero;
        FloatVector a01 = zero;
        FloatVector a02 = zero;
        FloatVector a03 = zero;
        FloatVector a10 = zero;
        FloatVector a11 = zero;
        FloatVector a12 = zero;
        FloatVector a13 = zero;
        FloatVector a20 = zero;
        FloatVector a21 = zero;
        FloatVector a22 = zero;
        FloatVector a23 = zero;
        FloatVector a30 = zero;
        FloatVector a31 = zero;
        FloatVector a32 = zero;
        FloatVector a33 = zero;
        long v1 = v + rowBytes;
        long v2 = v + 2 * rowBytes;
        long v3 = v + 3 * rowBytes;
        for (int j = 0; j < padded; j += W) {
            long o = (long) j * Float.BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(F, values, v + o, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(F, values, v1 + o, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(F, values, v2 + o, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(F, values, v3 + o, ORDER);
            FloatVector q0 = FloatVector.fromArray(F, p, p0 + j);
            a00 = x0.fma(q0, a00);
            a01 = x1.fma(q0, a01);
            a02 = x2.fma(q0, a02);
            a03 = x3.fma(q0, a03);
            FloatVector q1 = FloatVector.fromArray(F, p, p1 + j);
            a10 = x0.fma(q1, a10);
            a11 = x1.fma(q1, a11);
            a12 = x2.fma(q1, a12);
            a13 = x3.fma(q1, a13);
            FloatVector q2 = FloatVector.fromArray(F, p, p2 + j);
            a20 = x0.fma(q2, a20);
            a21 = x1.fma(q2, a21);
            a22 = x2.fma(q2, a22);
            a23 = x3.fma(q2, a23);
            FloatVector q3 = FloatVector.fromArray(F, p, p3 + j);
            a30 = x0.fma(q3, a30);
            a31 = x1.fma(q3, a31);
            a32 = x2.fma(q3, a32);
            a33 = x3.fma(q3, a33);
        }
        final FloatVector TREE_8_LO = Attention.TREE_8_LO;
        final FloatVector TREE_8_HI = Attention.TREE_8_HI;
        final FloatVector TREE_4_LO = Attention.TREE_4_LO;
        final FloatVector TREE_4_HI = Attention.TREE_4_HI;
        final FloatVector TREE_2_LO = Attention.TREE_2_LO;
        final FloatVector TREE_2_HI = Attention.TREE_2_HI;
        final FloatVector TREE_1_LO = Attention.TREE_1_LO;
        final FloatVector TREE_1_HI = Attention.TREE_1_HI;
        FloatVector c00 = TREE_8_LO.selectFrom(a00, a01).add(TREE_8_HI.selectFrom(a00, a01));
        FloatVector c01 = TREE_8_LO.selectFrom(a02, a03).add(TREE_8_HI.selectFrom(a02, a03));
        FloatVector t0 = TREE_4_LO.selectFrom(c00, c01).add(TREE_4_HI.selectFrom(c00, c01));
        FloatVector c10 = TREE_8_LO.selectFrom(a10, a11).add(TREE_8_HI.selectFrom(a10, a11));
        FloatVector c11 = TREE_8_LO.selectFrom(a12, a13).add(TREE_8_HI.selectFrom(a12, a13));
        FloatVector t1 = TREE_4_LO.selectFrom(c10, c11).add(TREE_4_HI.selectFrom(c10, c11));
        FloatVector c20 = TREE_8_LO.selectFrom(a20, a21).add(TREE_8_HI.selectFrom(a20, a21));
        FloatVector c21 = TREE_8_LO.selectFrom(a22, a23).add(TREE_8_HI.selectFrom(a22, a23));
        FloatVector t2 = TREE_4_LO.selectFrom(c20, c21).add(TREE_4_HI.selectFrom(c20, c21));
        FloatVector c30 = TREE_8_LO.selectFrom(a30, a31).add(TREE_8_HI.selectFrom(a30, a31));
        FloatVector c31 = TREE_8_LO.selectFrom(a32, a33).add(TREE_8_HI.selectFrom(a32, a33));
        FloatVector t3 = TREE_4_LO.selectFrom(c30, c31).add(TREE_4_HI.selectFrom(c30, c31));
        FloatVector e0 = TREE_2_LO.selectFrom(t0, t1).add(TREE_2_HI.selectFrom(t0, t1));
        FloatVector e1 = TREE_2_LO.selectFrom(t2, t3).add(TREE_2_HI.selectFrom(t2, t3));
        FloatVector all = TREE_1_LO.selectFrom(e0, e1).add(TREE_1_HI.selectFrom(e0, e1));
        all.intoArray(lanes, 0);
    }

    /**
     * {@link #dots16} for head size 128 (2B4T), the query held in eight registers for all 16 keys, so
     * each fused multiply-add loads one key vector and nothing else. Same operations in the same order.
     */
    private static void dots16Of128(float[] q, int qOff, float[] k, int kOff, float[] partial, float scale,
                                    float[] scores, int scoresOff) {
        FloatVector q0 = FloatVector.fromArray(F, q, qOff);
        FloatVector q1 = FloatVector.fromArray(F, q, qOff + W);
        FloatVector q2 = FloatVector.fromArray(F, q, qOff + 2 * W);
        FloatVector q3 = FloatVector.fromArray(F, q, qOff + 3 * W);
        FloatVector q4 = FloatVector.fromArray(F, q, qOff + 4 * W);
        FloatVector q5 = FloatVector.fromArray(F, q, qOff + 5 * W);
        FloatVector q6 = FloatVector.fromArray(F, q, qOff + 6 * W);
        FloatVector q7 = FloatVector.fromArray(F, q, qOff + 7 * W);
        FloatVector zero = FloatVector.zero(F);
        FloatVector tree8Lo = Attention.TREE_8_LO;
        FloatVector tree8Hi = Attention.TREE_8_HI;
        FloatVector tree4Lo = Attention.TREE_4_LO;
        FloatVector tree4Hi = Attention.TREE_4_HI;
        for (int g = 0; g < 4; g++) {
            int base = kOff + 4 * g * 128;
            FloatVector s0 = FloatVector.fromArray(F, k, base).fma(q0, zero);
            FloatVector s1 = FloatVector.fromArray(F, k, base + W).fma(q1, zero);
            FloatVector s2 = FloatVector.fromArray(F, k, base + 2 * W).fma(q2, zero);
            FloatVector s3 = FloatVector.fromArray(F, k, base + 3 * W).fma(q3, zero);
            s0 = FloatVector.fromArray(F, k, base + 4 * W).fma(q4, s0);
            s1 = FloatVector.fromArray(F, k, base + 5 * W).fma(q5, s1);
            s2 = FloatVector.fromArray(F, k, base + 6 * W).fma(q6, s2);
            s3 = FloatVector.fromArray(F, k, base + 7 * W).fma(q7, s3);
            FloatVector f0 = s0.add(s2).add(s1.add(s3));
            s0 = FloatVector.fromArray(F, k, base + 128).fma(q0, zero);
            s1 = FloatVector.fromArray(F, k, base + 128 + W).fma(q1, zero);
            s2 = FloatVector.fromArray(F, k, base + 128 + 2 * W).fma(q2, zero);
            s3 = FloatVector.fromArray(F, k, base + 128 + 3 * W).fma(q3, zero);
            s0 = FloatVector.fromArray(F, k, base + 128 + 4 * W).fma(q4, s0);
            s1 = FloatVector.fromArray(F, k, base + 128 + 5 * W).fma(q5, s1);
            s2 = FloatVector.fromArray(F, k, base + 128 + 6 * W).fma(q6, s2);
            s3 = FloatVector.fromArray(F, k, base + 128 + 7 * W).fma(q7, s3);
            FloatVector f1 = s0.add(s2).add(s1.add(s3));
            s0 = FloatVector.fromArray(F, k, base + 256).fma(q0, zero);
            s1 = FloatVector.fromArray(F, k, base + 256 + W).fma(q1, zero);
            s2 = FloatVector.fromArray(F, k, base + 256 + 2 * W).fma(q2, zero);
            s3 = FloatVector.fromArray(F, k, base + 256 + 3 * W).fma(q3, zero);
            s0 = FloatVector.fromArray(F, k, base + 256 + 4 * W).fma(q4, s0);
            s1 = FloatVector.fromArray(F, k, base + 256 + 5 * W).fma(q5, s1);
            s2 = FloatVector.fromArray(F, k, base + 256 + 6 * W).fma(q6, s2);
            s3 = FloatVector.fromArray(F, k, base + 256 + 7 * W).fma(q7, s3);
            FloatVector f2 = s0.add(s2).add(s1.add(s3));
            s0 = FloatVector.fromArray(F, k, base + 384).fma(q0, zero);
            s1 = FloatVector.fromArray(F, k, base + 384 + W).fma(q1, zero);
            s2 = FloatVector.fromArray(F, k, base + 384 + 2 * W).fma(q2, zero);
            s3 = FloatVector.fromArray(F, k, base + 384 + 3 * W).fma(q3, zero);
            s0 = FloatVector.fromArray(F, k, base + 384 + 4 * W).fma(q4, s0);
            s1 = FloatVector.fromArray(F, k, base + 384 + 5 * W).fma(q5, s1);
            s2 = FloatVector.fromArray(F, k, base + 384 + 6 * W).fma(q6, s2);
            s3 = FloatVector.fromArray(F, k, base + 384 + 7 * W).fma(q7, s3);
            FloatVector f3 = s0.add(s2).add(s1.add(s3));
            FloatVector c0 = tree8Lo.selectFrom(f0, f1).add(tree8Hi.selectFrom(f0, f1));
            FloatVector c1 = tree8Lo.selectFrom(f2, f3).add(tree8Hi.selectFrom(f2, f3));
            tree4Lo.selectFrom(c0, c1).add(tree4Hi.selectFrom(c0, c1)).intoArray(partial, g * W);
        }
        FloatVector d0 = FloatVector.fromArray(F, partial, 0);
        FloatVector d1 = FloatVector.fromArray(F, partial, W);
        FloatVector d2 = FloatVector.fromArray(F, partial, 2 * W);
        FloatVector d3 = FloatVector.fromArray(F, partial, 3 * W);
        FloatVector e0 = Attention.TREE_2_LO.selectFrom(d0, d1).add(Attention.TREE_2_HI.selectFrom(d0, d1));
        FloatVector e1 = Attention.TREE_2_LO.selectFrom(d2, d3).add(Attention.TREE_2_HI.selectFrom(d2, d3));
        Attention.TREE_1_LO.selectFrom(e0, e1).add(Attention.TREE_1_HI.selectFrom(e0, e1)).mul(scale)
                .intoArray(scores, scoresOff);
    }

    /**
     * {@link Attention#dots16} in one method: 16 keys' {@code vec_dot_f16} with the query, their lane
     * trees merged side by side, times {@code scale} into {@code scores[scoresOff + i]} for key i (rows of {@code n}, a multiple of 64,
     * from {@code kOff}). Written without helper calls on purpose: C2 does not inline helpers of this
     * size, and a vector passed to or returned from a method that is not inlined is boxed (hundreds of
     * MB per layer call); four keys per loop turn keep the method small enough for C2. The four
     * partial results pass through {@code partial} (64 floats).
     */
    private static void dots16(float[] q, int qOff, float[] k, int kOff, int n, float[] partial, float scale,
                               float[] scores, int scoresOff) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector tree8Lo = Attention.TREE_8_LO;
        FloatVector tree8Hi = Attention.TREE_8_HI;
        FloatVector tree4Lo = Attention.TREE_4_LO;
        FloatVector tree4Hi = Attention.TREE_4_HI;
        for (int g = 0; g < 4; g++) {
            FloatVector f0;
            {
                FloatVector s0 = zero;
                FloatVector s1 = zero;
                FloatVector s2 = zero;
                FloatVector s3 = zero;
                int base = kOff + (4 * g + 0) * n;
                for (int d = 0; d < n; d += 4 * W) {
                    s0 = FloatVector.fromArray(F, k, base + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                    s1 = FloatVector.fromArray(F, k, base + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                    s2 = FloatVector.fromArray(F, k, base + d + 2 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                    s3 = FloatVector.fromArray(F, k, base + d + 3 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
                }
                f0 = s0.add(s2).add(s1.add(s3));
            }
            FloatVector f1;
            {
                FloatVector s0 = zero;
                FloatVector s1 = zero;
                FloatVector s2 = zero;
                FloatVector s3 = zero;
                int base = kOff + (4 * g + 1) * n;
                for (int d = 0; d < n; d += 4 * W) {
                    s0 = FloatVector.fromArray(F, k, base + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                    s1 = FloatVector.fromArray(F, k, base + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                    s2 = FloatVector.fromArray(F, k, base + d + 2 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                    s3 = FloatVector.fromArray(F, k, base + d + 3 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
                }
                f1 = s0.add(s2).add(s1.add(s3));
            }
            FloatVector f2;
            {
                FloatVector s0 = zero;
                FloatVector s1 = zero;
                FloatVector s2 = zero;
                FloatVector s3 = zero;
                int base = kOff + (4 * g + 2) * n;
                for (int d = 0; d < n; d += 4 * W) {
                    s0 = FloatVector.fromArray(F, k, base + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                    s1 = FloatVector.fromArray(F, k, base + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                    s2 = FloatVector.fromArray(F, k, base + d + 2 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                    s3 = FloatVector.fromArray(F, k, base + d + 3 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
                }
                f2 = s0.add(s2).add(s1.add(s3));
            }
            FloatVector f3;
            {
                FloatVector s0 = zero;
                FloatVector s1 = zero;
                FloatVector s2 = zero;
                FloatVector s3 = zero;
                int base = kOff + (4 * g + 3) * n;
                for (int d = 0; d < n; d += 4 * W) {
                    s0 = FloatVector.fromArray(F, k, base + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                    s1 = FloatVector.fromArray(F, k, base + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                    s2 = FloatVector.fromArray(F, k, base + d + 2 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                    s3 = FloatVector.fromArray(F, k, base + d + 3 * W)
                            .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
                }
                f3 = s0.add(s2).add(s1.add(s3));
            }
            FloatVector c0 = tree8Lo.selectFrom(f0, f1).add(tree8Hi.selectFrom(f0, f1));
            FloatVector c1 = tree8Lo.selectFrom(f2, f3).add(tree8Hi.selectFrom(f2, f3));
            tree4Lo.selectFrom(c0, c1).add(tree4Hi.selectFrom(c0, c1)).intoArray(partial, g * W);
        }
        FloatVector d0 = FloatVector.fromArray(F, partial, 0);
        FloatVector d1 = FloatVector.fromArray(F, partial, W);
        FloatVector d2 = FloatVector.fromArray(F, partial, 2 * W);
        FloatVector d3 = FloatVector.fromArray(F, partial, 3 * W);
        FloatVector e0 = Attention.TREE_2_LO.selectFrom(d0, d1).add(Attention.TREE_2_HI.selectFrom(d0, d1));
        FloatVector e1 = Attention.TREE_2_LO.selectFrom(d2, d3).add(Attention.TREE_2_HI.selectFrom(d2, d3));
        Attention.TREE_1_LO.selectFrom(e0, e1).add(Attention.TREE_1_HI.selectFrom(e0, e1)).mul(scale)
                .intoArray(scores, scoresOff);
    }
}

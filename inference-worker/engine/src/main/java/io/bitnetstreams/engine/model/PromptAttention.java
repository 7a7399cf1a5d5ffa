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
 * loads straddle cache lines), keys and values <em>transposed</em> (per head and element, the positions
 * in a row). Q·K then runs with the positions in the lanes ({@link #dots16x4}): each key vector serves
 * the four query heads of a row, every chain, fold and tree add of {@code vec_dot_f16} is a lane-wise
 * add, no shuffles, and a row's last partial block of 16 is computed whole and masked by the softmax
 * ({@link ReferenceSoftmax#softmaxPadded}) instead of position by position. P·V of one output element is a plain vector loop over positions whose lane
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
    /** Per-thread folded Q·K sums of one block of 16 positions x 4 queries (see {@link #dots16x4}). */
    private static final ThreadLocal<float[]> FOLDED = ThreadLocal.withInitial(() -> new float[4 * W * W]);

    private PromptAttention() {
    }

    /** Whether {@link #block} serves this sequence on this CPU (16-float vectors, head size a multiple of 64). */
    static boolean serves(Attention.Shape shape, Attention.Rows s) {
        return Attention.NATIVE_W && s.rows() > 1 && shape.headDim() % (4 * W) == 0;
    }

    /**
     * One sequence's keys and values of positions {@code 0 .. visible} as floats, both transposed: at
     * {@code [kvHead][element][position]}, rows of {@code padded} positions (a multiple of 16, the tail of each
     * row +0) {@code rowStride} floats apart.
     */
    static final class Converted {
        private MemorySegment keys = MemorySegment.NULL;
        private MemorySegment values = MemorySegment.NULL;
        private int headDim;
        private int visible;
        private int padded;
        /** Floats from one row to the next: an odd number of cache lines, so rows fall in different L1 sets. */
        private int rowStride;

        void prepare(Attention.Shape shape, int visibleCount) {
            headDim = shape.headDim();
            visible = visibleCount;
            padded = (visibleCount + W - 1) / W * W;
            rowStride = padded / W % 2 == 1 ? padded : padded + W;
            long bytes = (long) shape.kvHeads() * rowStride * headDim * Float.BYTES;
            if (values.byteSize() < bytes) {
                long capacity = Math.max(bytes, values.byteSize() + values.byteSize() / 2);
                keys = Arena.ofAuto().allocate(capacity, 64);
                values = Arena.ofAuto().allocate(capacity, 64);
            }
        }

        /** Byte offset of {@code position} in the row of {@code element} of {@code kvHead} (keys and values alike). */
        long offset(int kvHead, int element, int position) {
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
            transpose(shape, row, target.keys, target, j);
            toFloats(parts.values()[part], src, row, kvDim);
            transpose(shape, row, target.values, target, j);
        }
        if (j0 + n == target.visible) {
            for (int h = 0; h < shape.kvHeads(); h++) {
                for (int d = 0; d < headDim; d++) {
                    for (int j = target.visible; j < target.padded; j++) {
                        target.keys.set(FLOAT, target.offset(h, d, j), 0f);
                        target.values.set(FLOAT, target.offset(h, d, j), 0f);
                    }
                }
            }
        }
    }

    /** Element {@code d} of head {@code h} of one position's row (kvDim floats) to {@code [h][d][position]}. */
    private static void transpose(Attention.Shape shape, float[] row, MemorySegment dst, Converted target, int position) {
        int headDim = shape.headDim();
        for (int h = 0; h < shape.kvHeads(); h++) {
            for (int d = 0; d < headDim; d++) {
                dst.set(FLOAT, target.offset(h, d, position), row[h * headDim + d]);
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
        scores(shape, kv, kvHead, firstVisible, nr, nh, queries, scores, stride, FOLDED.get());
        for (int r = 0; r < nr; r++) {
            int visible = firstVisible + r;
            for (int hh = 0; hh < nh; hh++) {
                ReferenceSoftmax.softmaxPadded(scores, (r * nh + hh) * stride, visible);
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
                    weighted4x4(scores, p0, p1, p2, p3, padded, kv.values, kv.offset(kvHead, d, 0),
                            (long) kv.rowStride * Float.BYTES, lanes);
                    for (int k = 0; k < heads; k++) {
                        System.arraycopy(lanes, 4 * k, out, outRow + (h0 + hh + k) * headDim + d, 4);
                    }
                }
            }
        }
    }

    /**
     * Scaled Q·K of every query of the unit with every position it sees, four queries (the heads of a row) at a time
     * over blocks of 16 positions, in tiles of {@link Attention#TILE} positions that all rows of the unit use while
     * they are in cache. A row's last block may reach past the positions the row sees (up to the next multiple of 16):
     * those scores are computed from whatever keys lie there (later positions, or the +0 padding) and then masked by
     * {@link ReferenceSoftmax#softmaxPadded}, so no position is ever computed one by one.
     */
    private static void scores(Attention.Shape shape, Converted kv, int kvHead, int firstVisible, int nr, int nh,
                               float[] queries, float[] scores, int stride, float[] folded) {
        int headDim = shape.headDim();
        int maxVisible = firstVisible + nr - 1;
        float scale = shape.scale();
        long rowBytes = (long) kv.rowStride * Float.BYTES;
        for (int jt = 0; jt < maxVisible; jt += Attention.TILE) {
            int tileEnd = Math.min(jt + Attention.TILE, maxVisible);
            for (int r = Math.max(0, jt - firstVisible + 1); r < nr; r++) {
                int end = Math.min(tileEnd, firstVisible + r);
                for (int hh = 0; hh < nh; hh += 4) {
                    // four queries of this row (the last one repeated when fewer are left)
                    int i0 = r * nh + hh;
                    int i1 = r * nh + Math.min(hh + 1, nh - 1);
                    int i2 = r * nh + Math.min(hh + 2, nh - 1);
                    int i3 = r * nh + Math.min(hh + 3, nh - 1);
                    for (int j = jt; j < end; j += W) {
                        dots16x4(queries, i0 * headDim, i1 * headDim, i2 * headDim, i3 * headDim, headDim, kv.keys,
                                kv.offset(kvHead, 0, j), rowBytes, folded);
                        tree16(folded, 0, scale, scores, i0 * stride + j);
                        tree16(folded, W * W, scale, scores, i1 * stride + j);
                        tree16(folded, 2 * W * W, scale, scores, i2 * stride + j);
                        tree16(folded, 3 * W * W, scale, scores, i3 * stride + j);
                    }
                }
            }
        }
    }

    /**
     * {@link Attention#f16Dot} of four queries (F16-rounded floats at {@code q0 .. q3}) with 16 consecutive positions
     * of the transposed keys (element d of the block's position p at {@code k + d * rowBytes + 4p}), up to the lane
     * tree: here the lanes are the positions, so lane p of {@code a_i} is exactly f16Dot's lane l of accumulator i for
     * position p (the chain over elements {@code 64s + 16i + l}, starting with a fused multiply-add onto +0), and the
     * fold {@code (a0 + a2) + (a1 + a3)} is f16Dot's. The folded vector of query c and lane l goes to
     * {@code folded[(16c + l) * 16 ..]}; {@link #tree16} finishes. Every key vector serves four queries and no
     * shuffle is needed. One method with no vector crossing a call, for the reason given at {@link #weighted4x4}.
     */
    private static void dots16x4(float[] q, int q0, int q1, int q2, int q3, int headDim, MemorySegment keys, long k,
                                 long rowBytes, float[] folded) {
        FloatVector zero = FloatVector.zero(F);
        long quarter = W * rowBytes;
        for (int l = 0; l < W; l++) {
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
            for (int d = l; d < headDim; d += 4 * W) {
                long row = k + d * rowBytes;
                FloatVector k0 = FloatVector.fromMemorySegment(F, keys, row, ORDER);
                FloatVector k1 = FloatVector.fromMemorySegment(F, keys, row + quarter, ORDER);
                FloatVector k2 = FloatVector.fromMemorySegment(F, keys, row + 2 * quarter, ORDER);
                FloatVector k3 = FloatVector.fromMemorySegment(F, keys, row + 3 * quarter, ORDER);
                a00 = k0.fma(FloatVector.broadcast(F, q[q0 + d]), a00);
                a01 = k1.fma(FloatVector.broadcast(F, q[q0 + d + W]), a01);
                a02 = k2.fma(FloatVector.broadcast(F, q[q0 + d + 2 * W]), a02);
                a03 = k3.fma(FloatVector.broadcast(F, q[q0 + d + 3 * W]), a03);
                a10 = k0.fma(FloatVector.broadcast(F, q[q1 + d]), a10);
                a11 = k1.fma(FloatVector.broadcast(F, q[q1 + d + W]), a11);
                a12 = k2.fma(FloatVector.broadcast(F, q[q1 + d + 2 * W]), a12);
                a13 = k3.fma(FloatVector.broadcast(F, q[q1 + d + 3 * W]), a13);
                a20 = k0.fma(FloatVector.broadcast(F, q[q2 + d]), a20);
                a21 = k1.fma(FloatVector.broadcast(F, q[q2 + d + W]), a21);
                a22 = k2.fma(FloatVector.broadcast(F, q[q2 + d + 2 * W]), a22);
                a23 = k3.fma(FloatVector.broadcast(F, q[q2 + d + 3 * W]), a23);
                a30 = k0.fma(FloatVector.broadcast(F, q[q3 + d]), a30);
                a31 = k1.fma(FloatVector.broadcast(F, q[q3 + d + W]), a31);
                a32 = k2.fma(FloatVector.broadcast(F, q[q3 + d + 2 * W]), a32);
                a33 = k3.fma(FloatVector.broadcast(F, q[q3 + d + 3 * W]), a33);
            }
            a00.add(a02).add(a01.add(a03)).intoArray(folded, l * W);
            a10.add(a12).add(a11.add(a13)).intoArray(folded, (W + l) * W);
            a20.add(a22).add(a21.add(a23)).intoArray(folded, (2 * W + l) * W);
            a30.add(a32).add(a31.add(a33)).intoArray(folded, (3 * W + l) * W);
        }
    }

    /**
     * The 16-lane tree of f16Dot on the folded vectors {@code folded[base + l * 16 ..]} (lanes l = 0..15, each
     * vector holding 16 positions): halves 8, 4, 2, 1 apart, as {@link ReferenceSoftmax#lanes16Sum}; times
     * {@code scale} into {@code scores[off .. off + 16)}.
     */
    private static void tree16(float[] folded, int base, float scale, float[] scores, int off) {
        FloatVector t0 = FloatVector.fromArray(F, folded, base).add(FloatVector.fromArray(F, folded, base + 8 * W));
        FloatVector t1 = FloatVector.fromArray(F, folded, base + W).add(FloatVector.fromArray(F, folded, base + 9 * W));
        FloatVector t2 = FloatVector.fromArray(F, folded, base + 2 * W)
                .add(FloatVector.fromArray(F, folded, base + 10 * W));
        FloatVector t3 = FloatVector.fromArray(F, folded, base + 3 * W)
                .add(FloatVector.fromArray(F, folded, base + 11 * W));
        FloatVector t4 = FloatVector.fromArray(F, folded, base + 4 * W)
                .add(FloatVector.fromArray(F, folded, base + 12 * W));
        FloatVector t5 = FloatVector.fromArray(F, folded, base + 5 * W)
                .add(FloatVector.fromArray(F, folded, base + 13 * W));
        FloatVector t6 = FloatVector.fromArray(F, folded, base + 6 * W)
                .add(FloatVector.fromArray(F, folded, base + 14 * W));
        FloatVector t7 = FloatVector.fromArray(F, folded, base + 7 * W)
                .add(FloatVector.fromArray(F, folded, base + 15 * W));
        FloatVector u0 = t0.add(t4);
        FloatVector u1 = t1.add(t5);
        FloatVector u2 = t2.add(t6);
        FloatVector u3 = t3.add(t7);
        FloatVector v0 = u0.add(u2);
        FloatVector v1 = u1.add(u3);
        v0.add(v1).mul(scale).intoArray(scores, off);
    }

    /**
     * tinyBLAS's P·V for four queries (probabilities at {@code p0..p3}) and four output elements (value
     * rows at {@code v}, {@code v + rowBytes}, ...): lane {@code l} of each accumulator is the chain of
     * positions {@code j mod 16 == l}; the 16 chain trees then run merged, and lane {@code 4k + e} of
     * the merged vector (query k's element e) goes to {@code lanes[4k + e]}. Written without helper
     * calls on purpose: C2 does not inline helpers of this size, and a vector passed to or returned from a
     * method that is not inlined is boxed (hundreds of MB per layer call).
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
}

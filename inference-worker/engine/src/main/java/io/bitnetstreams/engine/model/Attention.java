package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.FloatLanes;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention over F16 keys and values that may lie in several caches one after
 * the other (a shared prefix, then the sequence's own cache). Shared by {@link BitNetModel} and
 * {@link BatchedForward}, so a sequence gets the same bits alone and in a batch.
 *
 * <p>Rounded as the reference runtime (llama.cpp's CPU backend on an AVX-512 build, F16 KV cache,
 * no flash attention) rounds, so that logits agree with it to a few ulps instead of drifting apart on
 * chaotic weights:
 * <ul>
 * <li>keys and values are F16 ({@link KvCache} stores them so);</li>
 * <li>Q·K: Q rounded to F16, then ggml's {@code vec_dot_f16} order (four 16-lane FMA accumulators over
 *     steps of 64, folded 0+2 and 1+3, then those two, then the 16-lane tree; a tail in double);</li>
 * <li>softmax: {@link ReferenceSoftmax};</li>
 * <li>P·V of a step with several tokens of the sequence: tinyBLAS's order (per output element 16 FMA
 *     chains over positions {@code j mod 16}, then the 16-lane tree); of a one-token step (decode),
 *     where llama.cpp skips tinyBLAS: the probabilities rounded to F16 and {@code vec_dot_f16} over the
 *     KV window padded to 32. So a decode step's attention differs in its last bits from the same
 *     position computed inside a prompt batch, exactly as in the reference.</li>
 * </ul>
 * The 16-lane orders use one 512-bit vector when the CPU has them and a scalar emulation otherwise
 * (same bits, slower).
 *
 * <p>Tiled: a unit of work is a block of up to {@link #ROW_BLOCK} query rows times the query heads
 * of one key/value head. Keys and values are read in tiles of {@link #TILE} positions, each tile
 * converted from F16 once into a per-thread float buffer and used by every query of the block
 * (up to 32 queries in a prompt), so the conversion costs a fraction of the arithmetic; nothing is
 * allocated per position or per step (per-thread buffers only grow). The summation orders above are
 * per query and per output element, and tiling keeps every chain's order (positions in increasing
 * order), so the bits do not depend on the tiling.
 */
final class Attention {

    private static final VectorSpecies<Float> F = FloatLanes.SPECIES;
    private static final int LANES = FloatLanes.LANES;
    /** The reference's vector width, in floats; its summation orders are defined on it. */
    static final int W = 16;
    static final boolean NATIVE_W = LANES == W;
    /** Query rows per unit of a prompt: with a group of 4 heads, 32 queries share each converted tile. */
    static final int ROW_BLOCK = 8;
    /** Key/value positions converted from F16 at once (32 KB of floats at head size 128). */
    static final int TILE = 64;
    /** Units per thread below which the heads of a group are split over several units (decode of few sequences). */
    private static final int MIN_UNITS_PER_THREAD = 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Attention() {
    }

    /** The head geometry: {@code heads} query heads of {@code headDim}, {@code kvHeads} key/value heads. */
    record Shape(int heads, int kvHeads, int headDim, float scale) {

        static Shape of(BitNetConfig c) {
            return new Shape(c.heads(), c.kvHeads(), c.headDim(), c.attentionScale());
        }

        int dim() {
            return heads * headDim;
        }

        int kvDim() {
            return kvHeads * headDim;
        }

        int group() {
            return heads / kvHeads;
        }
    }

    /**
     * Where the keys and values of one layer lie: part {@code p} holds positions
     * {@code start(p) .. start(p) + lengths[p]} as F16 rows of {@code kvDim}.
     */
    record Parts(short[][] keys, short[][] values, int[] lengths) {

        static Parts single(short[] keys, short[] values, int length) {
            return new Parts(new short[][] {keys}, new short[][] {values}, new int[] {length});
        }
    }

    /**
     * The query rows of one sequence: rows {@code firstRow .. firstRow + rows} of the step's {@code q}
     * and {@code out} (row length {@code dim}); row {@code firstRow + r} sees positions
     * {@code 0 .. firstVisible + r} of {@code parts}. A sequence with one row is a decode step.
     */
    record Rows(Parts parts, int firstRow, int rows, int firstVisible) {
    }

    /** Per-thread buffers; they grow to the largest unit seen and are reused by every later one. */
    static final class Scratch {
        float[] queries = new float[0];
        float[] scores = new float[0];
        float[] tile = new float[0];
        float[] acc = new float[0];
        double[] tail = new double[0];
        final float[] lanes = new float[W];

        void ensure(int queryCount, int visible, int headDim, int accRowsPerQuery) {
            if (queries.length < queryCount * headDim) {
                queries = new float[queryCount * headDim];
            }
            if (scores.length < queryCount * visible) {
                scores = new float[queryCount * visible];
            }
            if (tile.length < TILE * headDim) {
                tile = new float[TILE * headDim];
            }
            if (acc.length < queryCount * accRowsPerQuery * headDim) {
                acc = new float[queryCount * accRowsPerQuery * headDim];
            }
            if (tail.length < headDim) {
                tail = new double[headDim];
            }
        }
    }

    /**
     * Attention of every row of every sequence, split over the pool; writes {@code out} at the offsets
     * of {@code q} (row {@code i}, head {@code h} at {@code i * dim + h * headDim}).
     */
    static void run(ComputePool pool, Shape shape, Rows[] sequences, float[] q, float[] out) {
        int units = 0;
        for (Rows s : sequences) {
            units += (s.rows + ROW_BLOCK - 1) / ROW_BLOCK * shape.kvHeads;
        }
        // few units (decode of few sequences): split the groups, halving while that keeps them even, so
        // both threads get work; each slice converts the tiles it reads itself
        int split = shape.group();
        while (units * (shape.group() / split) < MIN_UNITS_PER_THREAD * pool.threads() && split % 2 == 0) {
            split /= 2;
        }
        int headsPerUnit = split;
        int slices = shape.group() / headsPerUnit;
        // unit = (sequence, row block, head slice); later row blocks see more keys: they go first
        int total = units * slices;
        int[] sequence = new int[total];
        int[] rowBlock = new int[total];
        int[] firstHead = new int[total];
        int u = 0;
        for (int si = 0; si < sequences.length; si++) {
            int blocks = (sequences[si].rows + ROW_BLOCK - 1) / ROW_BLOCK;
            for (int b = blocks - 1; b >= 0; b--) {
                for (int h = 0; h < shape.heads; h += headsPerUnit, u++) {
                    sequence[u] = si;
                    rowBlock[u] = b;
                    firstHead[u] = h;
                }
            }
        }
        // multi-token steps: their keys and values converted from F16 once, for all their units
        PromptAttention.Converted[] converted = new PromptAttention.Converted[sequences.length];
        PromptAttention.Converted[] held = null;
        for (int si = 0; si < sequences.length; si++) {
            if (PromptAttention.serves(shape, sequences[si])) {
                held = held == null ? PromptAttention.holders(sequences.length) : held;
                converted[si] = held[si];
                converted[si].prepare(shape, sequences[si].firstVisible + sequences[si].rows - 1);
            }
        }
        if (held != null) {
            PromptAttention.convert(pool, shape, sequences, converted);
        }
        pool.parallelForChunks(0, total, total, (from, to) -> {
            Scratch scratch = SCRATCH.get();
            for (int i = from; i < to; i++) {
                Rows s = sequences[sequence[i]];
                int r0 = rowBlock[i] * ROW_BLOCK;
                int nr = Math.min(ROW_BLOCK, s.rows - r0);
                PromptAttention.Converted kv = converted[sequence[i]];
                if (kv != null) {
                    PromptAttention.block(shape, s, kv, r0, nr, firstHead[i], headsPerUnit, q, out, scratch);
                } else {
                    block(shape, s, r0, nr, firstHead[i], headsPerUnit, q, out, scratch);
                }
            }
        });
    }

    /**
     * One unit: rows {@code r0 .. r0 + nr} of {@code s} times query heads {@code h0 .. h0 + nh} (all of
     * one key/value head). Query {@code qi = r * nh + hh}.
     */
    static void block(Shape shape, Rows s, int r0, int nr, int h0, int nh, float[] q, float[] out, Scratch scratch) {
        int headDim = shape.headDim;
        int dim = shape.dim();
        int kvDim = shape.kvDim();
        int kvOff = (h0 / shape.group()) * headDim;
        int firstVisible = s.firstVisible + r0;
        int maxVisible = firstVisible + nr - 1;
        int nq = nr * nh;
        scratch.ensure(nq, maxVisible, headDim, s.rows == 1 ? 4 * W : W);
        float[] queries = scratch.queries;
        for (int r = 0; r < nr; r++) {
            for (int hh = 0; hh < nh; hh++) {
                int src = (s.firstRow + r0 + r) * dim + (h0 + hh) * headDim;
                int dst = (r * nh + hh) * headDim;
                for (int d = 0; d < headDim; d++) {
                    queries[dst + d] = Float.float16ToFloat(Float.floatToFloat16(q[src + d]));
                }
            }
        }
        float[] scores = scratch.scores;
        float[] tile = scratch.tile;
        int stride = maxVisible;
        float scale = shape.scale;
        for (int jt = 0; jt < maxVisible; jt += TILE) {
            int n = Math.min(TILE, maxVisible - jt);
            convertTile(s.parts.keys, s.parts.lengths, jt, n, kvDim, kvOff, headDim, tile);
            for (int r = Math.max(0, jt - firstVisible + 1); r < nr; r++) {
                int count = Math.min(n, firstVisible + r - jt);
                for (int hh = 0; hh < nh; hh++) {
                    int qi = r * nh + hh;
                    int row = qi * stride + jt;
                    int t = 0;
                    if (NATIVE_W && headDim % (4 * W) == 0) {
                        scoreKeys(queries, qi * headDim, tile, count, headDim, scale, scores, row, scratch.lanes);
                        t = count;
                    }
                    for (; t < count; t++) {
                        scores[row + t] = f16Dot(queries, qi * headDim, tile, t * headDim, headDim) * scale;
                    }
                }
            }
        }
        for (int r = 0; r < nr; r++) {
            for (int hh = 0; hh < nh; hh++) {
                ReferenceSoftmax.softmax(scores, (r * nh + hh) * stride, firstVisible + r);
            }
        }
        if (s.rows == 1) {
            decodeValues(shape, s, h0, nh, kvOff, firstVisible, scratch, out);
        } else {
            batchValues(shape, s, r0, nr, h0, nh, kvOff, firstVisible, scratch, out);
        }
    }

    /**
     * Converts positions {@code j0 .. j0 + n} (columns {@code kvOff .. kvOff + headDim}) of the parts
     * from F16 into {@code tile}, row {@code t} at {@code t * headDim}.
     */
    static void convertTile(short[][] src, int[] lengths, int j0, int n, int kvDim, int kvOff, int headDim,
                            float[] tile) {
        int part = 0;
        int start = 0;
        while (j0 - start >= lengths[part]) {
            start += lengths[part];
            part++;
        }
        for (int t = 0; t < n; t++) {
            int j = j0 + t;
            while (j - start >= lengths[part]) {
                start += lengths[part];
                part++;
            }
            toFloats(src[part], (j - start) * kvDim + kvOff, tile, t * headDim, headDim);
        }
    }

    /** A plain loop C2 turns into vector conversions (vcvtph2ps on x86 with F16C/AVX-512). */
    private static void toFloats(short[] src, int from, float[] dst, int to, int n) {
        for (int d = 0; d < n; d++) {
            dst[to + d] = Float.float16ToFloat(src[from + d]);
        }
    }

    /**
     * {@code scores[row + t] = f16Dot(query, tile row t) * scale} for {@code t < count}, for head sizes
     * with no tail ({@code n % 64 == 0}) on 16-float vectors: each key's four accumulators folded
     * (0+2) + (1+3) as in {@link #f16Dot}, stored, and summed by {@link FloatLanes#sum(float[], int)}
     * (the same 16-lane tree, bit for bit). Every vector stays in this method: the merged tree of
     * {@link #dots16} passed vectors between methods C2 did not inline and boxed them (about 160 KB
     * of garbage per decode layer, measured with JFR allocation samples).
     */
    private static void scoreKeys(float[] q, int qOff, float[] tile, int count, int headDim, float scale,
                                  float[] scores, int row, float[] lanes) {
        for (int t = 0; t < count; t++) {
            int kOff = t * headDim;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int d = 0; d < headDim; d += 4 * W) {
                s0 = FloatVector.fromArray(F, tile, kOff + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                s1 = FloatVector.fromArray(F, tile, kOff + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                s2 = FloatVector.fromArray(F, tile, kOff + d + 2 * W)
                        .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                s3 = FloatVector.fromArray(F, tile, kOff + d + 3 * W)
                        .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
            }
            s0.add(s2).add(s1.add(s3)).intoArray(lanes, 0);
            scores[row + t] = FloatLanes.sum(lanes, 0) * scale;
        }
    }

    /**
     * Index vectors of the merged lane trees of {@link PromptAttention}: level "8" holds 2 keys x 8 lanes ({@code v[l] + v[l+8]}), level
     * "4" 4 keys x 4, level "2" 8 keys x 2, level "1" 16 keys x 1, keys in order.
     */
    private static FloatVector indexes(int... values) {
        float[] lanes = new float[W];
        for (int i = 0; i < W; i++) {
            lanes[i] = values[i];
        }
        return FloatVector.fromArray(FloatVector.SPECIES_512, lanes, 0);
    }

    static final FloatVector TREE_8_LO = indexes(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    static final FloatVector TREE_8_HI = indexes(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    static final FloatVector TREE_4_LO = indexes(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    static final FloatVector TREE_4_HI = indexes(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    static final FloatVector TREE_2_LO = indexes(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    static final FloatVector TREE_2_HI = indexes(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    static final FloatVector TREE_1_LO = indexes(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    static final FloatVector TREE_1_HI = indexes(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /**
     * ggml's {@code vec_dot_f16}: four 16-lane accumulators over steps of 64 (accumulator i takes
     * elements {@code 64s + 16i ..}), folded 0+2 and 1+3, then those two, then the 16-lane tree; the
     * elements past the last full step are added in double.
     */
    static float f16Dot(float[] q, int qOff, float[] k, int kOff, int n) {
        int full = n - n % (4 * W);
        float sum;
        if (NATIVE_W) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int d = 0; d < full; d += 4 * W) {
                s0 = FloatVector.fromArray(F, k, kOff + d).fma(FloatVector.fromArray(F, q, qOff + d), s0);
                s1 = FloatVector.fromArray(F, k, kOff + d + W).fma(FloatVector.fromArray(F, q, qOff + d + W), s1);
                s2 = FloatVector.fromArray(F, k, kOff + d + 2 * W)
                        .fma(FloatVector.fromArray(F, q, qOff + d + 2 * W), s2);
                s3 = FloatVector.fromArray(F, k, kOff + d + 3 * W)
                        .fma(FloatVector.fromArray(F, q, qOff + d + 3 * W), s3);
            }
            sum = FloatLanes.sum(s0.add(s2).add(s1.add(s3)));
        } else {
            float[] acc = new float[4 * W];
            for (int d = 0; d < full; d += 4 * W) {
                for (int e = 0; e < 4 * W; e++) {
                    acc[e] = Math.fma(k[kOff + d + e], q[qOff + d + e], acc[e]);
                }
            }
            float[] folded = new float[W];
            for (int l = 0; l < W; l++) {
                folded[l] = (acc[l] + acc[2 * W + l]) + (acc[W + l] + acc[3 * W + l]);
            }
            sum = ReferenceSoftmax.lanes16Sum(folded);
        }
        if (full == n) {
            return sum;
        }
        double total = sum;
        for (int e = full; e < n; e++) {
            total += k[kOff + e] * q[qOff + e];
        }
        return (float) total;
    }

    /**
     * {@code out = sum_j p_j v_j} in tinyBLAS's order for every query of the unit: 16 accumulator rows
     * per query, position j adding into row {@code j mod 16} (a fused multiply-add per element), then
     * the rows folded 8, 4, 2, 1 apart. Vectorized over the head dimension, where every lane follows
     * the same order.
     */
    private static void batchValues(Shape shape, Rows s, int r0, int nr, int h0, int nh, int kvOff, int firstVisible,
                                    Scratch scratch, float[] out) {
        int headDim = shape.headDim;
        int nq = nr * nh;
        int maxVisible = firstVisible + nr - 1;
        int stride = maxVisible;
        float[] acc = scratch.acc;
        float[] tile = scratch.tile;
        float[] p = scratch.scores;
        for (int r = 0; r < nr; r++) {
            for (int hh = 0; hh < nh; hh++) {
                clearUnreached(acc, (r * nh + hh) * W * headDim, firstVisible + r, W, headDim);
            }
        }
        for (int jt = 0; jt < maxVisible; jt += TILE) {
            int n = Math.min(TILE, maxVisible - jt);
            convertTile(s.parts.values, s.parts.lengths, jt, n, shape.kvDim(), kvOff, headDim, tile);
            for (int r = Math.max(0, jt - firstVisible + 1); r < nr; r++) {
                int count = Math.min(n, firstVisible + r - jt);
                for (int hh = 0; hh < nh; hh++) {
                    int qi = r * nh + hh;
                    accumulate(tile, count, jt, p, qi * stride, acc, qi * W * headDim, W - 1, headDim);
                }
            }
        }
        int dim = shape.dim();
        for (int r = 0; r < nr; r++) {
            for (int hh = 0; hh < nh; hh++) {
                int base = (r * nh + hh) * W * headDim;
                foldTree(acc, base, headDim);
                System.arraycopy(acc, base, out, (s.firstRow + r0 + r) * dim + (h0 + hh) * headDim, headDim);
            }
        }
    }

    /**
     * Tile rows {@code 0 .. count} (positions {@code jt ..}) times their probabilities
     * {@code p[pOff + jt + t]}, fused-added into accumulator row {@code (jt + t) & rowMask} of the query
     * whose rows start at {@code accBase}.
     */
    private static void accumulate(float[] tile, int count, int jt, float[] p, int pOff, float[] acc, int accBase,
                                   int rowMask, int headDim) {
        int vectorEnd = headDim - headDim % LANES;
        FloatVector zero = FloatVector.zero(F);
        for (int t = 0; t < count; t++) {
            int j = jt + t;
            int row = accBase + (j & rowMask) * headDim;
            int v = t * headDim;
            float pj = p[pOff + j];
            FloatVector pv = FloatVector.broadcast(F, pj);
            int d = 0;
            if (j <= rowMask) {
                // the row's first position: the same fused multiply-add onto +0, without clearing the row first
                for (; d < vectorEnd; d += LANES) {
                    FloatVector.fromArray(F, tile, v + d).fma(pv, zero).intoArray(acc, row + d);
                }
                for (; d < headDim; d++) {
                    acc[row + d] = Math.fma(tile[v + d], pj, 0f);
                }
                continue;
            }
            for (; d < vectorEnd; d += LANES) {
                FloatVector.fromArray(F, tile, v + d).fma(pv, FloatVector.fromArray(F, acc, row + d))
                        .intoArray(acc, row + d);
            }
            for (; d < headDim; d++) {
                acc[row + d] = Math.fma(tile[v + d], pj, acc[row + d]);
            }
        }
    }

    /**
     * Clears the accumulator rows {@code visible .. rows} of the query at {@code base}: the rows no
     * position reaches (every other row is written first by {@link #accumulate}).
     */
    private static void clearUnreached(float[] acc, int base, int visible, int rows, int headDim) {
        if (visible < rows) {
            Arrays.fill(acc, base + visible * headDim, base + rows * headDim, 0f);
        }
    }

    /** Rows {@code base + r * headDim}, r < 16, folded 8, 4, 2, 1 apart into row 0 (the 16-lane tree). */
    private static void foldTree(float[] acc, int base, int headDim) {
        int vectorEnd = headDim - headDim % LANES;
        for (int width = W / 2; width >= 1; width /= 2) {
            for (int r = 0; r < width; r++) {
                int a = base + r * headDim;
                int b = base + (r + width) * headDim;
                int d = 0;
                for (; d < vectorEnd; d += LANES) {
                    FloatVector.fromArray(F, acc, a + d).add(FloatVector.fromArray(F, acc, b + d)).intoArray(acc, a + d);
                }
                for (; d < headDim; d++) {
                    acc[a + d] += acc[b + d];
                }
            }
        }
    }

    /**
     * The value pass of a one-token step, as the reference computes it there (its tinyBLAS path
     * serves only steps of two or more tokens): the probabilities rounded to F16, then per output
     * element ggml's {@code vec_dot_f16} over the cache length padded to 32 (llama.cpp's KV window):
     * 64 accumulator rows (position {@code j mod 64} for {@code j} below the last multiple of 64), rows
     * {@code r}, {@code r+32}, {@code r+16}, {@code r+48} folded as {@code (r + r+32) + (r+16 + r+48)},
     * the 16-lane tree, then the remaining positions added one by one in double.
     */
    private static void decodeValues(Shape shape, Rows s, int h0, int nh, int kvOff, int visible, Scratch scratch,
                                     float[] out) {
        int headDim = shape.headDim;
        int stride = visible;
        float[] p = scratch.scores;
        for (int i = 0; i < nh * stride; i++) {
            p[i] = Float.float16ToFloat(Float.floatToFloat16(p[i]));
        }
        int padded = (visible + 31) / 32 * 32;
        int blocked = padded - padded % (4 * W);
        float[] acc = scratch.acc;
        float[] tile = scratch.tile;
        int perQuery = 4 * W * headDim;
        int blockedVisible = Math.min(blocked, visible);
        if (blocked > 0) {
            for (int hh = 0; hh < nh; hh++) {
                clearUnreached(acc, hh * perQuery, blockedVisible, 4 * W, headDim);
            }
        }
        for (int jt = 0; jt < blockedVisible; jt += TILE) {
            int n = Math.min(TILE, blockedVisible - jt);
            convertTile(s.parts.values, s.parts.lengths, jt, n, shape.kvDim(), kvOff, headDim, tile);
            for (int hh = 0; hh < nh; hh++) {
                accumulate(tile, n, jt, p, hh * stride, acc, hh * perQuery, 4 * W - 1, headDim);
            }
        }
        int vectorEnd = headDim - headDim % LANES;
        int outBase = s.firstRow * shape.dim() + h0 * headDim;
        for (int hh = 0; hh < nh; hh++) {
            int base = hh * perQuery;
            if (blocked > 0) {
                // rows l, l+16, l+32, l+48 are lane l of accumulators 0..3: fold 0+2 and 1+3, then those two
                for (int l = 0; l < W; l++) {
                    int a0 = base + l * headDim;
                    int a1 = a0 + W * headDim;
                    int a2 = a0 + 2 * W * headDim;
                    int a3 = a0 + 3 * W * headDim;
                    int d = 0;
                    for (; d < vectorEnd; d += LANES) {
                        FloatVector x0 = FloatVector.fromArray(F, acc, a0 + d);
                        FloatVector x1 = FloatVector.fromArray(F, acc, a1 + d);
                        FloatVector x2 = FloatVector.fromArray(F, acc, a2 + d);
                        FloatVector x3 = FloatVector.fromArray(F, acc, a3 + d);
                        x0.add(x2).add(x1.add(x3)).intoArray(acc, a0 + d);
                    }
                    for (; d < headDim; d++) {
                        acc[a0 + d] = (acc[a0 + d] + acc[a2 + d]) + (acc[a1 + d] + acc[a3 + d]);
                    }
                }
                foldTree(acc, base, headDim);
            } else {
                Arrays.fill(acc, base, base + headDim, 0f);
            }
        }
        if (blocked >= visible) {
            for (int hh = 0; hh < nh; hh++) {
                System.arraycopy(acc, hh * perQuery, out, outBase + hh * headDim, headDim);
            }
            return;
        }
        double[] tail = scratch.tail;
        int n = visible - blocked;
        convertTile(s.parts.values, s.parts.lengths, blocked, n, shape.kvDim(), kvOff, headDim, tile);
        for (int hh = 0; hh < nh; hh++) {
            addTail(acc, hh * perQuery, tile, n, p, hh * stride + blocked, tail, out, outBase + hh * headDim, headDim);
        }
    }

    /** Doubles per vector of the decode tail, and the floats that widen into one such vector. */
    private static final VectorSpecies<Double> TAIL_DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> TAIL_FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(TAIL_DOUBLES.vectorBitSize() / 2));

    /**
     * The double tail of {@link #decodeValues} for one query: per element {@code d},
     * {@code sum = acc[base + d]}, then {@code sum += tile[t][d] * p[pOff + t]} for {@code t < n} in that
     * order (the product in float, widened, added in double), written out as a float. Vectorized over
     * the elements: every lane runs exactly that chain (a float multiply, an exact widening, a double
     * add; the final narrowing rounds to nearest as the cast does), so the bits are the scalar loop's.
     */
    static void addTail(float[] acc, int base, float[] tile, int n, float[] p, int pOff, double[] tail, float[] out,
                        int outOff, int headDim) {
        int width = TAIL_DOUBLES.length();
        int vectorEnd = headDim - headDim % width;
        for (int d = 0; d < vectorEnd; d += width) {
            ((DoubleVector) FloatVector.fromArray(TAIL_FLOATS, acc, base + d)
                    .convertShape(VectorOperators.F2D, TAIL_DOUBLES, 0)).intoArray(tail, d);
        }
        for (int d = vectorEnd; d < headDim; d++) {
            tail[d] = acc[base + d];
        }
        for (int t = 0; t < n; t++) {
            float pj = p[pOff + t];
            int v = t * headDim;
            for (int d = 0; d < vectorEnd; d += width) {
                DoubleVector product = (DoubleVector) FloatVector.fromArray(TAIL_FLOATS, tile, v + d).mul(pj)
                        .convertShape(VectorOperators.F2D, TAIL_DOUBLES, 0);
                DoubleVector.fromArray(TAIL_DOUBLES, tail, d).add(product).intoArray(tail, d);
            }
            for (int d = vectorEnd; d < headDim; d++) {
                tail[d] += tile[v + d] * pj;
            }
        }
        for (int d = 0; d < vectorEnd; d += width) {
            ((FloatVector) DoubleVector.fromArray(TAIL_DOUBLES, tail, d)
                    .convertShape(VectorOperators.D2F, TAIL_FLOATS, 0)).intoArray(out, outOff + d);
        }
        for (int d = vectorEnd; d < headDim; d++) {
            out[outOff + d] = (float) tail[d];
        }
    }
}

package io.bitnetstreams.engine.kernel;

import static io.bitnetstreams.engine.kernel.FloatLanes.LANES;
import static io.bitnetstreams.engine.kernel.FloatLanes.SPECIES;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2-bit screening head over {@link HeadKernels.Q2Rows}: vector lanes are rows (16 rows of a group
 * side by side, 8 at a time on 256-bit CPUs), so a group's bytes stream strictly in order, the block
 * scales load as a vector and each lane ends as one logit (no lane sums).
 *
 * <p>No int-to-float conversion: code {@code c} (2 bits at bit {@code 2e} of its row's int) is shifted
 * with its byte to bits {@code 14 + 2k} ({@code k = e % 4}) and OR-ed into the float 1.0, which makes
 * the exact float {@code 1 + c * 2^(2k - 9)}. With the input pre-scaled by {@code 2^(9 - 2k)} (exact)
 * each product is {@code x * 2^(9 - 2k) + c * x}; the per-block sum of the first terms and the
 * {@code -1.5 * sum x} of the symmetric levels are one constant per token and block that starts the
 * block's chains. Per 16 rows and value: one mask-and-or (a bitwise blend) and one FMA with the value's
 * pre-broadcast input, plus a shift per 4 values; then one FMA with the block scales per block. The large pre-scaled terms cancel
 * in float: about 1e-4 of |x| per block, far below the 2-bit error this head is screened for.
 */
final class Q2Head implements LmHead {

    static final int GROUP = HeadKernels.Q2Rows.GROUP;
    static final int BLOCK = HeadKernels.Q2Rows.BLOCK;
    private static final VectorSpecies<Integer> I = LANES == 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = LANES == 16 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    private static final int ONE = Float.floatToRawIntBits(1f);
    private static final int M0 = 3 << 14;
    private static final int M1 = 3 << 16;
    private static final int M2 = 3 << 18;
    private static final int M3 = 3 << 20;
    /**
     * Smallest piece of groups a thread claims: groups are claimed in guided pieces (see
     * {@link ComputePool#parallelForGuided}), so the thread that finishes first waits for at most a
     * small piece; a group's logits do not depend on the piece (or partner) it is computed with.
     */
    private static final int MIN_GROUPS_PER_PIECE = 16;

    /** Per calling thread: the input table of the last call (see {@link #scaledInput}), grown as needed. */
    private static final ThreadLocal<MemorySegment> INPUT = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private final HeadKernels.Q2Rows q2;
    private final MemorySegment data;
    private final int vocab;
    private final int dim;
    private final int blocks;
    private final long groupBytes;

    Q2Head(HeadKernels.Q2Rows q2) {
        this.q2 = q2;
        this.data = q2.data();
        this.vocab = q2.vocab();
        this.dim = q2.dim();
        this.blocks = dim / BLOCK;
        this.groupBytes = HeadKernels.Q2Rows.groupBytes(dim);
    }

    @Override
    public int vocab() {
        return vocab;
    }

    @Override
    public int dim() {
        return dim;
    }

    /**
     * The pre-scaled input, each value {@code x_i * 2^(9 - 2 (i % 4))} repeated over the {@code LANES}
     * lanes (the vector the FMAs take, one plain load instead of a broadcast per value per 16 rows:
     * measured 0.42 -> 0.29 ms per 4096 rows), in the calling thread's native buffer. Native, not a heap
     * array: with both a heap and a native segment loaded in the kernel C2 sometimes compiled the loads
     * as calls (measured 3x slower decode); with {@code fromArray} the int-indexed loads keep their checks.
     */
    private MemorySegment scaledInput(float[] x, int tokens) {
        long bytes = 4L * LANES * tokens * dim;
        MemorySegment table = INPUT.get();
        if (table.byteSize() < bytes) {
            table = Arena.ofAuto().allocate(bytes, 64);
            INPUT.set(table);
        }
        for (int i = 0; i < tokens * dim; i++) {
            FloatVector.broadcast(SPECIES, x[i] * prescale(i)).intoMemorySegment(table, 4L * LANES * i, ByteOrder.LITTLE_ENDIAN);
        }
        return table;
    }

    private static float prescale(int i) {
        return Math.scalb(1f, 9 - 2 * (i % 4));
    }

    /** Per token and block: {@code -sum(x * (2^(9 - 2k) + 1.5))}, the start of the block's chains. */
    private float[] blockStarts(float[] x, int tokens) {
        float[] starts = new float[tokens * blocks];
        for (int t = 0; t < tokens; t++) {
            for (int b = 0; b < blocks; b++) {
                double sum = 0;
                for (int i = 0; i < BLOCK; i++) {
                    int at = t * dim + b * BLOCK + i;
                    sum += x[at] * ((double) prescale(at) + 1.5);
                }
                starts[t * blocks + b] = (float) -sum;
            }
        }
        return starts;
    }

    @Override
    public void logits(float[] x, int tokens, float[] out, ComputePool pool) {
        HeadChecks.input(x, tokens, dim, out, vocab);
        if (tokens == 0) {
            return;
        }
        MemorySegment xs = scaledInput(x, tokens);
        float[] starts = blockStarts(x, tokens);
        int groups = q2.groups();
        pool.parallelForGuided(0, groups, MIN_GROUPS_PER_PIECE, (from, to) -> {
            float[] lanes = new float[2 * GROUP];
            for (int g = from; g < to; g += 2) {
                int partner = Math.min(g + 1, to - 1);
                int rows = Math.min(GROUP * (partner + 1), vocab) - g * GROUP;
                for (int t = 0; t < tokens; t++) {
                    groups(g, partner, xs, t, starts, lanes);
                    System.arraycopy(lanes, 0, out, t * vocab + g * GROUP, Math.min(rows, GROUP));
                    if (partner != g) {
                        System.arraycopy(lanes, GROUP, out, t * vocab + partner * GROUP, rows - GROUP);
                    }
                }
            }
        });
    }

    /** The same kernel for the groups of the asked rows, so the values have the bits of {@link #logits}. */
    @Override
    public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
        HeadChecks.rowIds(rowIds, vocab);
        HeadChecks.input(x, tokens, dim, out, rowIds.length);
        if (tokens == 0) {
            return;
        }
        MemorySegment xs = scaledInput(x, tokens);
        float[] starts = blockStarts(x, tokens);
        int n = rowIds.length;
        pool.parallelFor(0, n, (from, to) -> {
            float[] lanes = new float[2 * GROUP];
            for (int i = from; i < to; i++) {
                for (int t = 0; t < tokens; t++) {
                    groups(rowIds[i] / GROUP, rowIds[i] / GROUP, xs, t, starts, lanes);
                    out[t * n + i] = lanes[rowIds[i] % GROUP];
                }
            }
        });
    }

    /**
     * The logits of the 16 rows of groups {@code ga} and {@code gb} (the same group twice for a lone
     * one: a group's values never depend on its partner) for token {@code t} into {@code lanes[0..32)}.
     */
    private void groups(int ga, int gb, MemorySegment xs, int t, float[] starts, float[] lanes) {
        for (int h = 0; h < GROUP; h += LANES) {
            lanes(ga * groupBytes + 2L * h, gb * groupBytes + 2L * h, xs, 4L * LANES * t * dim, starts, t * blocks, lanes, h);
        }
    }

    /**
     * Rows {@code h .. h + LANES} of two groups whose block scales start at {@code sa} and {@code sb}: per
     * group and block four chains (one per place k of a code in its byte, 8 FMAs each) from the block's
     * start, summed, times the scales. Two groups share each load of the input table and give the
     * chains independent work (one group with four chains was latency-bound: 0.35 against 0.25 ms per
     * 4096 rows with eight). Written out flat: C2 stopped
     * inlining (NodeCountInliningCutoff) with helpers, and boxed.
     */
    private void lanes(long sa, long sb, MemorySegment xm, long xo, float[] starts, int so, float[] lanes, int h) {
        long words = HeadKernels.Q2Rows.SCALE_BYTES + 2L * h;
        IntVector m0 = IntVector.broadcast(I, M0);
        IntVector m1 = IntVector.broadcast(I, M1);
        IntVector m2 = IntVector.broadcast(I, M2);
        IntVector m3 = IntVector.broadcast(I, M3);
        IntVector one = IntVector.broadcast(I, ONE);
        FloatVector accA = FloatVector.zero(SPECIES);
        FloatVector accB = FloatVector.zero(SPECIES);
        for (long b = 0; b < blocks; b++) {
            long o = b * HeadKernels.Q2Rows.BLOCK_BYTES;
            FloatVector start = FloatVector.broadcast(SPECIES, starts[so + (int) b]);
            FloatVector a0 = start;
            FloatVector a1 = FloatVector.zero(SPECIES);
            FloatVector a2 = FloatVector.zero(SPECIES);
            FloatVector a3 = FloatVector.zero(SPECIES);
            FloatVector b0 = start;
            FloatVector b1 = FloatVector.zero(SPECIES);
            FloatVector b2 = FloatVector.zero(SPECIES);
            FloatVector b3 = FloatVector.zero(SPECIES);
            for (int w = 0; w < 2; w++) {
                long wo = o + words + w * (4L * GROUP);
                IntVector wa = IntVector.fromMemorySegment(I, data, sa + wo, ByteOrder.LITTLE_ENDIAN);
                IntVector wb = IntVector.fromMemorySegment(I, data, sb + wo, ByteOrder.LITTLE_ENDIAN);
                long x = xo + (b * BLOCK + 16 * w) * (4L * LANES);
                IntVector va = wa.lanewise(VectorOperators.LSHL, 14);
                IntVector vb = wb.lanewise(VectorOperators.LSHL, 14);
                FloatVector xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 0L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a0 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m0).reinterpretAsFloats().fma(xv, a0);
                b0 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m0).reinterpretAsFloats().fma(xv, b0);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 1L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a1 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m1).reinterpretAsFloats().fma(xv, a1);
                b1 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m1).reinterpretAsFloats().fma(xv, b1);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 2L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a2 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m2).reinterpretAsFloats().fma(xv, a2);
                b2 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m2).reinterpretAsFloats().fma(xv, b2);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 3L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a3 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m3).reinterpretAsFloats().fma(xv, a3);
                b3 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m3).reinterpretAsFloats().fma(xv, b3);
                va = wa.lanewise(VectorOperators.LSHL, 6);
                vb = wb.lanewise(VectorOperators.LSHL, 6);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 4L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a0 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m0).reinterpretAsFloats().fma(xv, a0);
                b0 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m0).reinterpretAsFloats().fma(xv, b0);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 5L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a1 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m1).reinterpretAsFloats().fma(xv, a1);
                b1 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m1).reinterpretAsFloats().fma(xv, b1);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 6L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a2 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m2).reinterpretAsFloats().fma(xv, a2);
                b2 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m2).reinterpretAsFloats().fma(xv, b2);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 7L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a3 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m3).reinterpretAsFloats().fma(xv, a3);
                b3 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m3).reinterpretAsFloats().fma(xv, b3);
                va = wa.lanewise(VectorOperators.LSHR, 2);
                vb = wb.lanewise(VectorOperators.LSHR, 2);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 8L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a0 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m0).reinterpretAsFloats().fma(xv, a0);
                b0 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m0).reinterpretAsFloats().fma(xv, b0);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 9L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a1 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m1).reinterpretAsFloats().fma(xv, a1);
                b1 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m1).reinterpretAsFloats().fma(xv, b1);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 10L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a2 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m2).reinterpretAsFloats().fma(xv, a2);
                b2 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m2).reinterpretAsFloats().fma(xv, b2);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 11L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a3 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m3).reinterpretAsFloats().fma(xv, a3);
                b3 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m3).reinterpretAsFloats().fma(xv, b3);
                va = wa.lanewise(VectorOperators.LSHR, 10);
                vb = wb.lanewise(VectorOperators.LSHR, 10);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 12L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a0 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m0).reinterpretAsFloats().fma(xv, a0);
                b0 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m0).reinterpretAsFloats().fma(xv, b0);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 13L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a1 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m1).reinterpretAsFloats().fma(xv, a1);
                b1 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m1).reinterpretAsFloats().fma(xv, b1);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 14L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a2 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m2).reinterpretAsFloats().fma(xv, a2);
                b2 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m2).reinterpretAsFloats().fma(xv, b2);
                xv = FloatVector.fromMemorySegment(SPECIES, xm, x + 15L * (4L * LANES), ByteOrder.LITTLE_ENDIAN);
                a3 = one.lanewise(VectorOperators.BITWISE_BLEND, va, m3).reinterpretAsFloats().fma(xv, a3);
                b3 = one.lanewise(VectorOperators.BITWISE_BLEND, vb, m3).reinterpretAsFloats().fma(xv, b3);
            }
            FloatVector da = ((IntVector) ShortVector.fromMemorySegment(S, data, sa + o, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector db = ((IntVector) ShortVector.fromMemorySegment(S, data, sb + o, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            accA = a0.add(a1).add(a2.add(a3)).fma(da, accA);
            accB = b0.add(b1).add(b2.add(b3)).fma(db, accB);
        }
        accA.intoArray(lanes, h);
        accB.intoArray(lanes, GROUP + h);
    }
}

package io.bitnetstreams.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hot kernels on small random matrices so the JIT compiles them before a model's first
 * token. Until C2 has compiled them, Vector API code runs as allocating, boxed calls that are tens
 * of times slower (seconds for a first prompt on a 2B model); on small inputs the same compilation
 * happens in a fraction of that time. Meant to run on its own thread while the weights load.
 */
public final class KernelWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(KernelWarmup.class);
    /**
     * The smallest shapes that take every branch the model's shapes take (the compiled kernels are
     * then not thrown away at the first real call, and small rounds reach the JIT thresholds soon).
     * 190 and 94 rows: an odd number (3) of row-group pairs at 32 and at 16 lanes, so both decode
     * tiles (4 and 2 groups) run, and a ragged last group; 256 columns = 29 words of 9, one more than
     * an int16 flush block, and a K that is not a multiple of 3 and leaves a whole padding group
     * (every branch of the table builder's tail).
     */
    private static final int[] ROWS = {190, 94};
    private static final int COLS = 256;
    private static final int HEAD_ROWS = 16;
    private static final int HEAD_DIM = 256;
    /**
     * A round this fast runs compiled code everywhere. Measured on 2b4t (2 busy cores): rounds go from
     * about 2 ms (interpreter, C1 boxing every vector) through 650 and 330 us plateaus to about 100 us
     * once everything is in C2; the q8 head adds about 250 us to a compiled round.
     */
    private static final long FAST_ROUND_NANOS = 250_000;
    private static final long FAST_ROUND_NANOS_WITH_Q8 = 500_000;
    /** Consecutive fast rounds after which the warm-up stops early: the JIT is done with the kernels. */
    private static final int FAST_ROUNDS_TO_STOP = 50;

    private KernelWarmup() {
    }

    /**
     * Calls the ternary kernels of {@code kernels} and the F16 (and, if asked, q8) head until they run
     * at compiled speed, or at most {@code millis}.
     */
    /** Which LM head the model will run (the copies rescore with the F16 head, so that is warmed too). */
    public enum Head { F16, Q8, Q4, Q2 }

    public static void run(KernelProvider kernels, Head copyHead, long millis) {
        SplittableRandom random = new SplittableRandom(11);
        // Native like the model's weights: a heap segment would teach the JIT a second segment kind.
        MemorySegment f16 = Arena.ofAuto().allocate(2L * HEAD_ROWS * HEAD_DIM, VectorKernels.WORD_ALIGNMENT);
        for (int i = 0; i < HEAD_ROWS * HEAD_DIM; i++) {
            f16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) random.nextGaussian()));
        }
        run(kernels, copyHead, f16, HEAD_ROWS, HEAD_DIM, millis);
    }

    /**
     * Like {@link #run(KernelProvider, boolean, long)}, with the F16 head warmed on {@code headRows}
     * ({@code rows x dim} F16 values), normally the first rows of the model's own head: the JIT then
     * compiles the head for the memory it reads at run time (a mapped file), and the first real call
     * does not throw the compiled code away.
     */
    public static void run(KernelProvider kernels, Head copyHead, MemorySegment headRows, int rows, int dim,
                           long millis) {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        SplittableRandom random = new SplittableRandom(7);
        TernaryMatmul[] matrices = new TernaryMatmul[ROWS.length];
        for (int i = 0; i < ROWS.length; i++) {
            matrices[i] = kernels.prepare(randomWeights(random, ROWS[i]));
        }
        float[] x = new float[5 * Math.max(COLS, dim)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        QuantizedActivations q = new QuantizedActivations(5, COLS);
        float[] out = new float[5 * ROWS[0]];
        ComputePool pool = ComputePool.singleThreaded();
        LmHead head = HeadKernels.f16(headRows, rows, dim);
        // the model's q8 head rescores its best rows with the exact head: warm that whole path
        LmHead q8 = copyHead == Head.Q8 && dim % HeadKernels.Q8_BLOCK == 0
                ? HeadKernels.q8(HeadKernels.quantizeQ8(headRows, rows, dim, pool), head)
                : copyHead == Head.Q4 && dim % HeadKernels.Q4_BLOCK == 0
                ? HeadKernels.q4(HeadKernels.quantizeQ4(headRows, rows, dim,
                        Arena.ofAuto().allocate(HeadKernels.Q4Rows.bytes(rows, dim), VectorKernels.WORD_ALIGNMENT), pool), head)
                : copyHead == Head.Q2 && dim % HeadKernels.Q2Rows.BLOCK == 0
                ? HeadKernels.q2(HeadKernels.quantizeQ2(headRows, rows, dim,
                        Arena.ofAuto().allocate(HeadKernels.Q2Rows.bytes(rows, dim), VectorKernels.WORD_ALIGNMENT), pool), head)
                : null;
        float[] logits = new float[5 * rows];
        long fastRound = q8 != null ? FAST_ROUND_NANOS_WITH_Q8 : FAST_ROUND_NANOS;
        int rounds = 0;
        int fastRounds = 0;
        long now;
        do {
            long roundStart = System.nanoTime();
            for (TernaryMatmul matrix : matrices) {
                q.quantize(x, 0, 5);
                matrix.multiply(q, out, pool);
                q.quantize(x, 0, 1);
                matrix.multiply(q, out, pool);
            }
            head.logits(x, 1, logits, pool);
            head.logits(x, 5, logits, pool);
            if (q8 != null) {
                q8.logits(x, 1, logits, pool);
                q8.logits(x, 5, logits, pool);
            }
            rounds++;
            now = System.nanoTime();
            fastRounds = now - roundStart < fastRound ? fastRounds + 1 : 0;
        } while (now < end && fastRounds < FAST_ROUNDS_TO_STOP);
        LOG.debug("kernel warm-up: {} rounds in {} ms{}", rounds, (now - start) / 1_000_000,
                fastRounds >= FAST_ROUNDS_TO_STOP ? " (kernels compiled)" : "");
    }

    private static TernaryWeights randomWeights(SplittableRandom random, int rows) {
        byte[] codes = new byte[rows * COLS];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) random.nextInt(3);
        }
        return new TernaryWeights() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return COLS;
            }

            @Override
            public float scale() {
                return 1f;
            }

            @Override
            public void readCodes(int row, byte[] dst, int offset) {
                System.arraycopy(codes, row * COLS, dst, offset, COLS);
            }
        };
    }
}

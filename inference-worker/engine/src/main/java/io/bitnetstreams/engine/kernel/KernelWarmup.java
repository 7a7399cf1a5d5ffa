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
    /** Two row pairs (so the 4-group decode tile runs) and a few words: tiny calls, many of them. */
    private static final int ROWS = 128;
    private static final int COLS = 72;
    private static final int HEAD_ROWS = 16;
    private static final int HEAD_DIM = 256;

    private KernelWarmup() {
    }

    /** Calls the ternary kernels of {@code kernels} and the F16 (and, if asked, q8) head until {@code millis} have passed. */
    public static void run(KernelProvider kernels, boolean q8Head, long millis) {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        SplittableRandom random = new SplittableRandom(7);
        TernaryMatmul matrix = kernels.prepare(randomWeights(random));
        float[] x = new float[5 * Math.max(COLS, HEAD_DIM)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        QuantizedActivations q = new QuantizedActivations(5, COLS);
        float[] out = new float[5 * ROWS];
        // Native like the model's weights: a heap segment would teach the JIT a second segment kind.
        MemorySegment f16 = Arena.ofAuto().allocate(2L * HEAD_ROWS * HEAD_DIM, VectorKernels.WORD_ALIGNMENT);
        for (int i = 0; i < HEAD_ROWS * HEAD_DIM; i++) {
            f16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) random.nextGaussian()));
        }
        ComputePool pool = ComputePool.singleThreaded();
        LmHead head = HeadKernels.f16(f16, HEAD_ROWS, HEAD_DIM);
        LmHead q8 = q8Head ? HeadKernels.q8(HeadKernels.quantizeQ8(f16, HEAD_ROWS, HEAD_DIM, pool)) : null;
        float[] logits = new float[5 * HEAD_ROWS];
        int rounds = 0;
        do {
            q.quantize(x, 0, 5);
            matrix.multiply(q, out, pool);
            q.quantize(x, 0, 1);
            matrix.multiply(q, out, pool);
            head.logits(x, 1, logits, pool);
            head.logits(x, 5, logits, pool);
            if (q8 != null) {
                q8.logits(x, 1, logits, pool);
                q8.logits(x, 5, logits, pool);
            }
            rounds++;
        } while (System.nanoTime() < end);
        LOG.debug("kernel warm-up: {} rounds in {} ms", rounds, (System.nanoTime() - start) / 1_000_000);
    }

    private static TernaryWeights randomWeights(SplittableRandom random) {
        byte[] codes = new byte[ROWS * COLS];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) random.nextInt(3);
        }
        return new TernaryWeights() {
            @Override
            public int rows() {
                return ROWS;
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

package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.kernel.ComputePool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiled, vectorized attention over F16 caches gives the bits of a plain scalar transcription of
 * the reference's loops (ggml's vec_dot_f16 for Q·K and for a decode step's P·V, tinyBLAS's 16 chains
 * for a batch's P·V), one query at a time, over keys split between a shared part and the own cache,
 * for several sequences in one call, on one thread and on several (other units, other tiles).
 * Multi-token steps with head size 128 take {@link PromptAttention} (converted, transposed values),
 * the others and decode rows {@link Attention#block}: both must give the reference's bits.
 */
class AttentionTest {

    /** Heads 8 over 2 key/value heads (groups of 4, as 2B4T); two sequences of {@code rows} and 1 row. */
    @ParameterizedTest
    @CsvSource({
            // rows of the first sequence, positions before its first row, head size, threads
            "1, 0, 128, 1", "1, 1, 128, 2", "1, 30, 128, 1", "1, 32, 128, 2", "1, 63, 128, 1", "1, 64, 128, 2",
            "1, 129, 128, 2", "1, 200, 96, 1",
            "2, 0, 128, 1", "7, 0, 128, 2", "9, 0, 128, 1", "33, 0, 128, 2", "17, 60, 128, 2", "100, 0, 128, 3",
            "70, 130, 96, 2", "12, 5, 80, 1",
            // prompt path corners: one head per unit (3 threads), value rows of 1024 positions (padded stride)
            "2, 3, 128, 3", "24, 1000, 128, 2", "16, 47, 128, 1"})
    void matchesAScalarTranscriptionOfTheReference(int rows, int before, int headDim, int threads) {
        matchesTheReference(rows, before, headDim, threads, 1f);
    }

    /**
     * Queries 40 times larger: scores spread over hundreds, so most probabilities of a row underflow, many into
     * the subnormals (exp of -87 .. -104) and many to exactly 0, the range where the softmax's exp needs more than
     * the exponent bits of {@code 2^n}. Rows of 1 to 40 positions: partial last blocks of every length.
     */
    @ParameterizedTest
    @CsvSource({"40, 0, 2", "33, 7, 1", "9, 100, 3", "1, 40, 1"})
    void matchesTheReferenceWhenMostProbabilitiesUnderflow(int rows, int before, int threads) {
        matchesTheReference(rows, before, 128, threads, 40f);
    }

    private static void matchesTheReference(int rows, int before, int headDim, int threads, float queryScale) {
        Attention.Shape shape = new Attention.Shape(8, 2, headDim, 1.0f / (float) Math.sqrt(headDim));
        Random random = new Random(rows * 1_000_003L + before * 31L + headDim);
        Sequence a = new Sequence(random, shape, 0, rows, before);
        Sequence b = new Sequence(random, shape, rows, 1, 5 + before / 2);
        int totalRows = rows + 1;
        float[] q = randoms(random, totalRows * shape.dim());
        for (int i = 0; i < q.length; i++) {
            q[i] *= queryScale;
        }
        float[] out = new float[totalRows * shape.dim()];
        try (ComputePool pool = new ComputePool(threads)) {
            Attention.run(pool, shape, new Attention.Rows[] {a.rows, b.rows}, q, out);
        }
        for (Sequence s : new Sequence[] {a, b}) {
            for (int r = 0; r < s.rows.rows(); r++) {
                int row = s.rows.firstRow() + r;
                for (int h = 0; h < shape.heads(); h++) {
                    float[] expected = s.expected(shape, q, row * shape.dim() + h * headDim, h,
                            s.rows.firstVisible() + r, s.rows.rows() == 1);
                    for (int d = 0; d < headDim; d++) {
                        assertThat(Float.floatToRawIntBits(out[row * shape.dim() + h * headDim + d]))
                                .as("row %d head %d element %d", row, h, d)
                                .isEqualTo(Float.floatToRawIntBits(expected[d]));
                    }
                }
            }
        }
    }

    /** One sequence's keys and values: a shared part of {@code before / 2 + 1} positions, then its own cache. */
    private static final class Sequence {
        final Attention.Rows rows;
        final float[][] keys;
        final float[][] values;

        Sequence(Random random, Attention.Shape shape, int firstRow, int rowCount, int before) {
            int visible = before + rowCount;
            int kvDim = shape.kvDim();
            int split = Math.min(visible, before / 2 + 1);
            short[] k0 = halves(random, split * kvDim);
            short[] v0 = halves(random, split * kvDim);
            short[] k1 = halves(random, (visible - split) * kvDim);
            short[] v1 = halves(random, (visible - split) * kvDim);
            Attention.Parts parts = new Attention.Parts(new short[][] {k0, k1}, new short[][] {v0, v1},
                    new int[] {split, Integer.MAX_VALUE});
            rows = new Attention.Rows(parts, firstRow, rowCount, before + 1);
            keys = new float[visible][kvDim];
            values = new float[visible][kvDim];
            for (int j = 0; j < visible; j++) {
                short[] kp = j < split ? k0 : k1;
                short[] vp = j < split ? v0 : v1;
                int local = j < split ? j : j - split;
                for (int c = 0; c < kvDim; c++) {
                    keys[j][c] = Float.float16ToFloat(kp[local * kvDim + c]);
                    values[j][c] = Float.float16ToFloat(vp[local * kvDim + c]);
                }
            }
        }

        /** The reference's attention of one query (head {@code h}) over the first {@code visible} positions. */
        float[] expected(Attention.Shape shape, float[] q, int qOff, int h, int visible, boolean singleToken) {
            int headDim = shape.headDim();
            int kvOff = (h / shape.group()) * headDim;
            float[] query = new float[headDim];
            for (int d = 0; d < headDim; d++) {
                query[d] = half(q[qOff + d]);
            }
            float[] p = new float[visible];
            for (int j = 0; j < visible; j++) {
                float[] key = java.util.Arrays.copyOfRange(keys[j], kvOff, kvOff + headDim);
                p[j] = vecDotF16(key, query) * shape.scale();
            }
            ModelMath.softmax(p, visible);
            float[] result = new float[headDim];
            for (int d = 0; d < headDim; d++) {
                if (singleToken) {
                    int padded = (visible + 31) / 32 * 32;
                    float[] column = new float[padded];
                    float[] prob = new float[padded];
                    for (int j = 0; j < visible; j++) {
                        column[j] = values[j][kvOff + d];
                        prob[j] = half(p[j]);
                    }
                    result[d] = vecDotF16(column, prob);
                } else {
                    float[] lanes = new float[16];
                    for (int j = 0; j < visible; j++) {
                        lanes[j % 16] = Math.fma(values[j][kvOff + d], p[j], lanes[j % 16]);
                    }
                    result[d] = ReferenceSoftmax.lanes16Sum(lanes);
                }
            }
            return result;
        }
    }

    /** ggml_vec_dot_f16 on AVX-512, transcribed: sum[j] over x[i + 16j ..] for steps of 64, reduce, tail in double. */
    static float vecDotF16(float[] x, float[] y) {
        int n = x.length;
        int np = n & ~63;
        float[][] sum = new float[4][16];
        for (int i = 0; i < np; i += 64) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 16; l++) {
                    sum[j][l] = Math.fma(x[i + 16 * j + l], y[i + 16 * j + l], sum[j][l]);
                }
            }
        }
        for (int l = 0; l < 16; l++) {
            sum[0][l] += sum[2][l];
            sum[1][l] += sum[3][l];
            sum[0][l] += sum[1][l];
        }
        double sumf = ReferenceSoftmax.lanes16Sum(sum[0]);
        for (int i = np; i < n; i++) {
            sumf += x[i] * y[i];
        }
        return (float) sumf;
    }

    private static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static float[] randoms(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    static short[] halves(Random random, int n) {
        short[] values = new short[n];
        for (int i = 0; i < n; i++) {
            values[i] = Float.floatToFloat16((float) random.nextGaussian());
        }
        return values;
    }
}

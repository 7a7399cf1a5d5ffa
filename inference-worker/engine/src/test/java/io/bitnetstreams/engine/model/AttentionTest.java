package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vectorized attention gives the bits of a plain scalar transcription of the reference's loops
 * (ggml's vec_dot_f16 for Q·K and for a decode step's P·V, tinyBLAS's 16 chains for a batch's P·V),
 * over keys split between a shared part and the own cache.
 */
class AttentionTest {

    @ParameterizedTest
    @CsvSource({"1,false", "2,false", "7,false", "33,false", "100,false", "1,true", "2,true", "31,true", "33,true",
            "64,true", "65,true", "130,true"})
    void matchesAScalarTranscriptionOfTheReference(int visible, boolean singleToken) {
        int headDim = 128;
        int kvDim = 3 * headDim;
        int kvOff = headDim;
        Random random = new Random(visible * 31L + (singleToken ? 1 : 0));
        float[] q = randoms(random, 2 * headDim);
        int split = visible / 2 + 1;
        float[] k0 = halves(random, split * kvDim);
        float[] v0 = halves(random, split * kvDim);
        float[] k1 = halves(random, visible * kvDim);
        float[] v1 = halves(random, visible * kvDim);
        Attention.Parts parts = new Attention.Parts(new float[][] {k0, k1}, new float[][] {v0, v1},
                new int[] {split, Integer.MAX_VALUE});
        float scale = 1.0f / (float) Math.sqrt(headDim);
        float[] out = new float[2 * headDim];
        Attention.head(q, headDim, parts, visible, kvDim, kvOff, headDim, scale, singleToken,
                new Attention.Scratch(visible, headDim), out);

        float[][] keys = new float[visible][];
        float[][] values = new float[visible][];
        for (int j = 0; j < visible; j++) {
            float[] kp = j < split ? k0 : k1;
            float[] vp = j < split ? v0 : v1;
            int local = j < split ? j : j - split;
            keys[j] = java.util.Arrays.copyOfRange(kp, local * kvDim + kvOff, local * kvDim + kvOff + headDim);
            values[j] = java.util.Arrays.copyOfRange(vp, local * kvDim + kvOff, local * kvDim + kvOff + headDim);
        }
        float[] query = new float[headDim];
        for (int d = 0; d < headDim; d++) {
            query[d] = half(q[headDim + d]);
        }
        float[] p = new float[visible];
        for (int j = 0; j < visible; j++) {
            p[j] = vecDotF16(keys[j], query) * scale;
        }
        ModelMath.softmax(p, visible);
        for (int d = 0; d < headDim; d++) {
            float expected;
            if (singleToken) {
                int padded = (visible + 31) / 32 * 32;
                float[] row = new float[padded];
                float[] prob = new float[padded];
                for (int j = 0; j < visible; j++) {
                    row[j] = values[j][d];
                    prob[j] = half(p[j]);
                }
                expected = vecDotF16(row, prob);
            } else {
                float[] lanes = new float[16];
                for (int j = 0; j < visible; j++) {
                    lanes[j % 16] = Math.fma(values[j][d], p[j], lanes[j % 16]);
                }
                expected = ReferenceSoftmax.lanes16Sum(lanes);
            }
            assertThat(Float.floatToRawIntBits(out[headDim + d])).as("element %d", d)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    /** ggml_vec_dot_f16 on AVX-512, transcribed: sum[j] over x[i + 16j ..] for steps of 64, reduce, tail in double. */
    private static float vecDotF16(float[] x, float[] y) {
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

    private static float[] randoms(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] halves(Random random, int n) {
        float[] values = randoms(random, n);
        ModelMath.roundToF16(values, n);
        return values;
    }
}

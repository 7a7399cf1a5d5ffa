package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.kernel.FloatLanes;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The register-held path for 8-vector heads gives the bits of the general path (dot, softmax, addScaled). */
class AttentionTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 33})
    void eightVectorHeadsMatchTheGeneralPathBitForBit(int visible) {
        int headDim = 8 * FloatLanes.LANES;
        int kvDim = 3 * headDim;
        int kvOff = headDim;
        Random random = new Random(visible);
        float[] q = randoms(random, 2 * headDim);
        int split = visible / 2 + 1; // a shared part, then the own cache
        float[] k0 = randoms(random, split * kvDim);
        float[] v0 = randoms(random, split * kvDim);
        float[] k1 = randoms(random, visible * kvDim);
        float[] v1 = randoms(random, visible * kvDim);
        Attention.Parts parts = new Attention.Parts(new float[][] {k0, k1}, new float[][] {v0, v1},
                new int[] {split, Integer.MAX_VALUE});
        float scale = 0.0884f;
        float[] out = new float[2 * headDim];
        Attention.head(q, headDim, parts, visible, kvDim, kvOff, headDim, scale, new float[visible], out);

        float[] scores = new float[visible];
        for (int j = 0; j < visible; j++) {
            float[] keys = j < split ? k0 : k1;
            int local = j < split ? j : j - split;
            scores[j] = Attention.dot(q, headDim, keys, local * kvDim + kvOff, headDim) * scale;
        }
        ModelMath.softmax(scores, visible);
        float[] expected = new float[2 * headDim];
        for (int j = 0; j < visible; j++) {
            float[] values = j < split ? v0 : v1;
            int local = j < split ? j : j - split;
            Attention.addScaled(expected, headDim, scores[j], values, local * kvDim + kvOff, headDim);
        }
        for (int d = 0; d < 2 * headDim; d++) {
            assertThat(Float.floatToRawIntBits(out[d])).as("element %d", d).isEqualTo(Float.floatToRawIntBits(expected[d]));
        }
    }

    private static float[] randoms(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}

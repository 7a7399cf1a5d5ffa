package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import org.junit.jupiter.api.Test;

/** Known values worked by hand on micro inputs. */
class ModelMathTest {

    @Test
    void rmsNormRowsEqualsRmsNormOfEachRowBitForBit() {
        java.util.Random random = new java.util.Random(7);
        int n = 2560 + 3;
        float[] weight = new float[n];
        for (int i = 0; i < n; i++) {
            weight[i] = (float) random.nextGaussian();
        }
        for (int rows = 1; rows <= 9; rows++) {
            float[] x = new float[(rows + 2) * n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 3));
            }
            float[] expected = new float[x.length];
            float[] actual = new float[x.length];
            for (int r = 1; r < rows + 1; r++) {
                ModelMath.rmsNorm(x, r * n, weight, 1e-5f, expected, r * n, n);
            }
            ModelMath.rmsNormRows(x, weight, 1e-5f, actual, n, 1, rows + 1);
            assertThat(actual).as("%d rows", rows).isEqualTo(expected);
        }
    }

    @Test
    void rmsNormOfOneToFour() {
        // mean(x^2) = (1 + 4 + 9 + 16) / 4 = 7.5; 1 / sqrt(7.5 + 1e-5) = 0.3651481
        float[] out = new float[4];
        ModelMath.rmsNorm(new float[] {1, 2, 3, 4}, 0, new float[] {1, 1, 1, 2}, 1e-5f, out, 0, 4);
        assertThat(out).containsExactly(new float[] {0.3651481f, 0.7302963f, 1.0954444f, 2.921185f}, within(1e-6f));
    }

    @Test
    void neoxRopePairsElementIWithIPlusHalf() {
        // head dim 4, theta 10000: frequencies 1 and 10000^(-1/2) = 0.01; position 3 gives angles 3 and 0.03.
        // (x0, x2) = (1, 3) rotated by 3 rad: cos 3 = -0.9899925, sin 3 = 0.1411200
        //   -> (1 cos3 - 3 sin3, 1 sin3 + 3 cos3) = (-1.4133525, -2.8288575)
        // (x1, x3) = (2, 4) rotated by 0.03 rad -> (2 cos - 4 sin, 2 sin + 4 cos) = (1.8791181, 4.0581911)
        float thetaScale = ModelMath.ropeThetaScale(4, 10000f);
        assertThat(thetaScale).isEqualTo(0.01f);
        float[] cos = new float[2];
        float[] sin = new float[2];
        ModelMath.ropeAngles(3, thetaScale, cos, sin);
        float[] v = {9, 1, 2, 3, 4};
        ModelMath.ropeNeox(v, 1, cos, sin);
        assertThat(v).containsExactly(new float[] {9, -1.4133525f, 1.8791181f, -2.8288575f, 4.0581911f}, within(1e-6f));
    }

    @Test
    void positionZeroLeavesTheHeadUnchanged() {
        float[] cos = new float[4];
        float[] sin = new float[4];
        ModelMath.ropeAngles(0, ModelMath.ropeThetaScale(8, 500000f), cos, sin);
        float[] v = {1, -2, 3, -4, 5, -6, 7, -8};
        ModelMath.ropeNeox(v, 0, cos, sin);
        assertThat(v).containsExactly(1, -2, 3, -4, 5, -6, 7, -8);
    }

    @Test
    void bitLinearQuantizesPerTokenWithRoundHalfEven() {
        // x = [0.5, -1, 0.25, 1/254]: amax 1, s = 127; x*s = [63.5, -127, 31.75, 0.5]
        // round half even -> q = [64, -127, 32, 0], S = -31.
        // Row 0 trits [1, 0, -1, 1] (codes [2, 1, 0, 2]): sum trit*q = 64 - 32 + 0 = 32 -> 32 / 127 * 2 = 0.5039370
        // Row 1 trits [-1, -1, 0, 0]: -64 + 127 = 63 -> 63 / 127 * 2 = 0.9921260
        byte[][] codes = {{2, 1, 0, 2}, {0, 0, 1, 1}};
        TernaryWeights weights = new TernaryWeights() {
            public int rows() { return 2; }
            public int cols() { return 4; }
            public float scale() { return 2f; }
            public void readCodes(int row, byte[] dst, int offset) { System.arraycopy(codes[row], 0, dst, offset, 4); }
        };
        QuantizedActivations q = new QuantizedActivations(1, 4).quantize(new float[] {0.5f, -1f, 0.25f, 1f / 254}, 0, 1);
        assertThat(q.values()).containsExactly(64, -127, 32, 0);
        assertThat(q.sum(0)).isEqualTo(-31);
        float[] out = new float[2];
        new InPlaceKernels().prepare(weights).multiply(q, out, ComputePool.singleThreaded());
        assertThat(out).containsExactly(new float[] {0.5039370f, 0.9921260f}, within(1e-6f));
    }

    @Test
    void activations() {
        assertThat(Activation.RELU_SQUARED.apply(-1.5f)).isZero();
        assertThat(Activation.RELU_SQUARED.apply(3f)).isEqualTo(9f);
        assertThat(Activation.SILU.apply(1f)).isCloseTo(0.7310586f, within(1e-6f));
        assertThat(Activation.GELU.apply(0f)).isZero();
        assertThat(Activation.GELU.apply(1f)).isCloseTo(0.8411920f, within(1e-5f));
        assertThat(Activation.parse("relu2")).isEqualTo(Activation.RELU_SQUARED);
        assertThat(Activation.parse("relu_squared")).isEqualTo(Activation.RELU_SQUARED);
        assertThat(Activation.parse("SiLU")).isEqualTo(Activation.SILU);
        assertThat(Activation.parse("tanh")).isNull();
    }

    @Test
    void softmaxAndLogSoftmax() {
        // log(e^2 / (e^1 + e^2 + e^3)) = -1.4076060
        float[] logits = {0, 1, 2, 3};
        assertThat(ModelMath.logSoftmaxAt(logits, 1, 3, 1)).isCloseTo(-1.4076060, within(1e-6));
        float[] p = {1, 2, 3};
        ModelMath.softmax(p, 3);
        assertThat(p).containsExactly(new float[] {0.0900306f, 0.2447285f, 0.6652410f}, within(1e-6f));
        assertThat(ModelMath.argmax(new float[] {1, 5, 5, 2}, 0, 4)).isEqualTo(1);
    }
}

package io.bitnetstreams.engine.model;

/** The float operations of the forward pass around the ternary matmuls: norms, RoPE, softmax. */
public final class ModelMath {

    private ModelMath() {
    }

    /**
     * {@code out = x / sqrt(mean(x^2) + eps) * weight} over {@code n} values, rounded as ggml does:
     * squares in float, their sum in double, mean and scale in float.
     */
    public static void rmsNorm(float[] x, int xOffset, float[] weight, float eps, float[] out, int outOffset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sum += v * v;
        }
        float mean = (float) (sum / n);
        float scale = (float) (1.0 / Math.sqrt(mean + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    /** {@code theta^(-2i/ropeDim)} for i in [0, ropeDim/2): the RoPE frequencies of one head. */
    public static double[] ropeFrequencies(int ropeDim, float theta) {
        double[] freqs = new double[ropeDim / 2];
        for (int i = 0; i < freqs.length; i++) {
            freqs[i] = Math.pow(theta, -2.0 * i / ropeDim);
        }
        return freqs;
    }

    /**
     * NEOX ("rotate half") RoPE of one head at {@code offset}: element i pairs with i + ropeDim/2,
     * rotated by the angle {@code position * freqs[i]}; elements past ropeDim are left alone.
     */
    public static void ropeNeox(float[] v, int offset, double[] freqs, float[] cos, float[] sin) {
        int half = freqs.length;
        for (int i = 0; i < half; i++) {
            float x0 = v[offset + i];
            float x1 = v[offset + i + half];
            v[offset + i] = x0 * cos[i] - x1 * sin[i];
            v[offset + i + half] = x0 * sin[i] + x1 * cos[i];
        }
    }

    /** Fills the cos/sin tables of one position. */
    public static void ropeAngles(int position, double[] freqs, float[] cos, float[] sin) {
        for (int i = 0; i < freqs.length; i++) {
            double angle = position * freqs[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    /** In-place softmax of {@code x[0 .. n)}, shifted by the maximum for stability. */
    public static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[i] *= inv;
        }
    }

    /** {@code log(softmax(logits)[target])} over {@code logits[offset .. offset + n)}, in double. */
    public static double logSoftmaxAt(float[] logits, int offset, int n, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + target] - max - Math.log(sum);
    }

    /** The index of the largest value (the first one on ties). */
    public static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}

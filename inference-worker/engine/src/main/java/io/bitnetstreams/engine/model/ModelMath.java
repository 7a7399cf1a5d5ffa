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
        // 1.0f / sqrtf(mean + eps): a float square root and a float division, as ggml rounds them
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    /**
     * {@link #rmsNorm} of the consecutive rows {@code from .. to - 1} of length {@code n} (row i at
     * {@code x[i * n]}, written to {@code out[i * n]}), with exactly its rounding. The sum of squares is
     * a chain of dependent double additions whose order must not change; four rows run their chains
     * side by side so the adds overlap instead of each waiting for the previous one.
     */
    public static void rmsNormRows(float[] x, float[] weight, float eps, float[] out, int n, int from, int to) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int b0 = i * n;
            int b1 = b0 + n;
            int b2 = b1 + n;
            int b3 = b2 + n;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int k = 0; k < n; k++) {
                float v0 = x[b0 + k];
                float v1 = x[b1 + k];
                float v2 = x[b2 + k];
                float v3 = x[b3 + k];
                s0 += v0 * v0;
                s1 += v1 * v1;
                s2 += v2 * v2;
                s3 += v3 * v3;
            }
            scaleRow(x, b0, weight, scaleOf(s0, n, eps), out, b0, n);
            scaleRow(x, b1, weight, scaleOf(s1, n, eps), out, b1, n);
            scaleRow(x, b2, weight, scaleOf(s2, n, eps), out, b2, n);
            scaleRow(x, b3, weight, scaleOf(s3, n, eps), out, b3, n);
        }
        for (; i < to; i++) {
            rmsNorm(x, i * n, weight, eps, out, i * n, n);
        }
    }

    /** {@code 1 / sqrt(mean + eps)} rounded as in {@link #rmsNorm}. */
    private static float scaleOf(double sumOfSquares, int n, float eps) {
        float mean = (float) (sumOfSquares / n);
        return 1.0f / (float) Math.sqrt(mean + eps);
    }

    private static void scaleRow(float[] x, int xOffset, float[] weight, float scale, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    /**
     * The per-pair angle factor {@code powf(theta, -2 / ropeDim)}: ggml multiplies the angle by it once
     * per pair, in float, instead of computing {@code theta^(-2i/ropeDim)} for each pair.
     */
    public static float ropeThetaScale(int ropeDim, float theta) {
        return (float) Math.pow(theta, -2.0f / ropeDim);
    }

    /**
     * NEOX ("rotate half") RoPE of one head at {@code offset}: element i pairs with i + half, where
     * half = {@code cos.length}; elements past 2 * half are left alone. Fused as the reference's
     * compiler fuses it: {@code x0' = fma(x0, cos, -(x1 sin))}, {@code x1' = fma(x0, sin, x1 cos)}.
     */
    public static void ropeNeox(float[] v, int offset, float[] cos, float[] sin) {
        int half = cos.length;
        for (int i = 0; i < half; i++) {
            float x0 = v[offset + i];
            float x1 = v[offset + i + half];
            v[offset + i] = Math.fma(x0, cos[i], -(x1 * sin[i]));
            v[offset + i + half] = Math.fma(x0, sin[i], x1 * cos[i]);
        }
    }

    /**
     * The cos/sin of one position, as ggml's rope cache computes them: the angle starts at
     * {@code (float) position} and is multiplied by {@code thetaScale} (in float) once per pair; cos and
     * sin are glibc's {@code cosf}/{@code sinf} of that float ({@link LibmSinCos}).
     */
    public static void ropeAngles(int position, float thetaScale, float[] cos, float[] sin) {
        float theta = position;
        for (int i = 0; i < cos.length; i++) {
            cos[i] = LibmSinCos.cosf(theta);
            sin[i] = LibmSinCos.sinf(theta);
            theta *= thetaScale;
        }
    }

    /**
     * In-place softmax of {@code x[0 .. n)} with the reference's rounding ({@link ReferenceSoftmax}):
     * the maximum subtracted, ggml's vectorized exp on blocks of 16, each block's lane-tree sum added
     * in double, then every value times {@code (float) (1 / sum)}.
     */
    public static void softmax(float[] x, int n) {
        ReferenceSoftmax.softmax(x, n);
    }

    /** Rounds {@code x[0 .. n)} to the nearest F16 value (ties to even), kept as floats. */
    public static void roundToF16(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
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

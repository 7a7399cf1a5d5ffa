package io.bitnetstreams.engine.kernel;

/**
 * Int8 activations of {@code tokens} rows of length {@code cols}, quantized per token exactly as
 * BitNet b1.58 does (W1.58 A8): {@code s = 127 / max(max|x|, 1e-5)},
 * {@code q = clamp(round_half_to_even(x * s), -128, 127)}, {@code S = sum(q)}.
 *
 * <p>Buffers are reused across calls: {@link #quantize} may be called again with a different token
 * count up to the capacity given at construction.
 */
public final class QuantizedActivations {

    private static final float MIN_ABS_MAX = 1e-5f;

    private final int cols;
    private final int capacity;
    private final byte[] values;
    private final float[] scales;
    private final int[] sums;
    private int tokens;

    public QuantizedActivations(int maxTokens, int cols) {
        if (maxTokens <= 0 || cols <= 0) {
            throw new IllegalArgumentException("maxTokens and cols must be positive: " + maxTokens + ", " + cols);
        }
        this.cols = cols;
        this.capacity = maxTokens;
        this.values = new byte[Math.multiplyExact(maxTokens, cols)];
        this.scales = new float[maxTokens];
        this.sums = new int[maxTokens];
    }

    /** Quantizes {@code tokens} rows of {@code x} (row-major, starting at {@code offset}). */
    public QuantizedActivations quantize(float[] x, int offset, int tokens) {
        if (tokens < 0 || tokens > capacity) {
            throw new IllegalArgumentException("tokens " + tokens + " outside [0, " + capacity + "]");
        }
        this.tokens = tokens;
        for (int t = 0; t < tokens; t++) {
            int base = offset + t * cols;
            float amax = 0f;
            for (int k = 0; k < cols; k++) {
                amax = Math.max(amax, Math.abs(x[base + k]));
            }
            float s = 127f / Math.max(amax, MIN_ABS_MAX);
            int sum = 0;
            int out = t * cols;
            for (int k = 0; k < cols; k++) {
                int q = (int) Math.rint(x[base + k] * s);
                q = Math.max(-128, Math.min(127, q));
                values[out + k] = (byte) q;
                sum += q;
            }
            scales[t] = s;
            sums[t] = sum;
        }
        return this;
    }

    /**
     * Loads already-quantized values ({@code tokens x cols()} int8 values, any in [-128, 127]) with
     * their scales; the sums are recomputed so they always match the values (kernels rely on it).
     */
    public QuantizedActivations load(byte[] quantized, float[] tokenScales, int tokens) {
        if (tokens < 0 || tokens > capacity) {
            throw new IllegalArgumentException("tokens " + tokens + " outside [0, " + capacity + "]");
        }
        if (quantized.length < tokens * cols || tokenScales.length < tokens) {
            throw new IllegalArgumentException("need " + tokens * cols + " values and " + tokens + " scales");
        }
        this.tokens = tokens;
        System.arraycopy(quantized, 0, values, 0, tokens * cols);
        for (int t = 0; t < tokens; t++) {
            int sum = 0;
            for (int k = 0; k < cols; k++) {
                sum += values[t * cols + k];
            }
            scales[t] = tokenScales[t];
            sums[t] = sum;
        }
        return this;
    }

    public int tokens() {
        return tokens;
    }

    public int cols() {
        return cols;
    }

    /** Row-major int8 values, {@code tokens() x cols()} valid entries. Do not modify. */
    public byte[] values() {
        return values;
    }

    /** {@code s} of token t: the factor that took floats to int8 (divide by it to go back). */
    public float scale(int token) {
        return scales[token];
    }

    /** {@code S} of token t: the sum of its int8 values. */
    public int sum(int token) {
        return sums[token];
    }
}

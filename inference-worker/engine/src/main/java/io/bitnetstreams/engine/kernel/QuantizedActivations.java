package io.bitnetstreams.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
    /** 1.5 * 2^23: adding and subtracting it rounds a float to an integer, ties to even. */
    private static final float ROUNDING_MAGIC = 12582912f;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;

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
        start(tokens);
        quantizeRows(x, offset, 0, tokens);
        return this;
    }

    /** {@link #quantize(float[], int, int)} with the rows split over {@code pool} (same values). */
    public QuantizedActivations quantize(float[] x, int offset, int tokens, ComputePool pool) {
        start(tokens);
        pool.parallelFor(0, tokens, (from, to) -> quantizeRows(x, offset, from, to));
        return this;
    }

    /**
     * Starts a quantization of {@code tokens} rows done piece by piece with {@link #quantizeRows}: a caller that
     * produces the float rows itself quantizes each piece while it is still in cache. Every row in
     * {@code 0 .. tokens} must be quantized before the values are read.
     */
    public void begin(int tokens) {
        start(tokens);
    }

    /**
     * Quantizes rows {@code from .. to} of {@code x} (row i at {@code offset + i * cols()}) after {@link #begin};
     * pieces of disjoint rows may run on different threads.
     */
    public void quantizeRange(float[] x, int offset, int from, int to) {
        if (from < 0 || to > tokens || from > to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside [0, " + tokens + "]");
        }
        quantizeRows(x, offset, from, to);
    }

    private void start(int tokens) {
        if (tokens < 0 || tokens > capacity) {
            throw new IllegalArgumentException("tokens " + tokens + " outside [0, " + capacity + "]");
        }
        this.tokens = tokens;
    }

    /**
     * Rows {@code from .. to}. Vectorized but exact: max is order-free, {@code x * s} is the same
     * IEEE product per lane, adding and subtracting 1.5 * 2^23 rounds half to even like
     * {@link Math#rint} for |v| < 2^22 (here |v| <= 127 plus an ulp), and int sums are exact.
     */
    private void quantizeRows(float[] x, int offset, int from, int to) {
        int vectorCols = cols - cols % F.length();
        for (int t = from; t < to; t++) {
            int base = offset + t * cols;
            FloatVector maxVector = FloatVector.zero(F);
            for (int k = 0; k < vectorCols; k += F.length()) {
                maxVector = maxVector.max(FloatVector.fromArray(F, x, base + k).abs());
            }
            float amax = maxVector.reduceLanes(VectorOperators.MAX);
            for (int k = vectorCols; k < cols; k++) {
                amax = Math.max(amax, Math.abs(x[base + k]));
            }
            float s = 127f / Math.max(amax, MIN_ABS_MAX);
            int out = t * cols;
            IntVector sumVector = IntVector.zero(I);
            for (int k = 0; k < vectorCols; k += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, base + k).mul(s);
                IntVector q = (IntVector) v.add(ROUNDING_MAGIC).sub(ROUNDING_MAGIC)
                        .convertShape(VectorOperators.F2I, I, 0);
                q = q.max(-128).min(127);
                ((ByteVector) q.convertShape(VectorOperators.I2B, B, 0)).intoArray(values, out + k);
                sumVector = sumVector.add(q);
            }
            int sum = sumVector.reduceLanes(VectorOperators.ADD);
            for (int k = vectorCols; k < cols; k++) {
                int q = (int) Math.rint(x[base + k] * s);
                q = Math.max(-128, Math.min(127, q));
                values[out + k] = (byte) q;
                sum += q;
            }
            scales[t] = s;
            sums[t] = sum;
        }
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

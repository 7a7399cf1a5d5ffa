package io.bitnetstreams.engine.model;

/**
 * The keys and values of one sequence, per layer, stored as F16 (IEEE half precision, the bits of
 * {@link Float#floatToFloat16}) as the reference runtime's KV cache stores them: two bytes per value,
 * half the memory of F32, and attention reads them exactly as the reference does. Position {@code p}
 * of a layer is the row {@code [p * kvDim, (p + 1) * kvDim)}. Storage grows lazily (doubling) up to
 * {@link #maxTokens()}, so a short run never allocates the whole context. Not thread-safe: one per
 * sequence.
 */
public final class KvCache {

    /** Storage of one key or value element: F16. */
    public static final int BYTES_PER_VALUE = Short.BYTES;
    private static final int INITIAL_TOKENS = 64;

    private final int layers;
    private final int kvDim;
    private final int maxTokens;
    private final short[][] keys;
    private final short[][] values;
    private int capacity;
    private int length;

    KvCache(int layers, int kvDim, int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("the context must hold at least one token: " + maxTokens);
        }
        long perLayer = (long) kvDim * maxTokens;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("context of " + maxTokens + " tokens is too large for one cache");
        }
        this.layers = layers;
        this.kvDim = kvDim;
        this.maxTokens = maxTokens;
        this.keys = new short[layers][];
        this.values = new short[layers][];
        for (int l = 0; l < layers; l++) {
            keys[l] = new short[0];
            values[l] = new short[0];
        }
    }

    /** Tokens stored so far: the position of the next token. */
    public int length() {
        return length;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Tokens the storage holds now (grows on demand). */
    public int capacity() {
        return capacity;
    }

    /** Bytes currently allocated. */
    public long allocatedBytes() {
        return capacity * bytesPerToken(layers, kvDim);
    }

    /**
     * Bytes one token takes in a cache of a model with {@code layers} layers and {@code kvDim} key
     * (and value) columns: its keys and values in every layer, F16. The one rule every KV-memory
     * budget (admission, prefix cache, reports) divides by.
     */
    public static long bytesPerToken(int layers, int kvDim) {
        return 2L * layers * kvDim * BYTES_PER_VALUE;
    }


    /** Forgets every token (keeps the storage). */
    public void clear() {
        length = 0;
    }

    /** Drops tokens past {@code newLength}, e.g. to rewind to a shared prefix. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate " + length + " tokens to " + newLength);
        }
        length = newLength;
    }

    int kvDim() {
        return kvDim;
    }

    boolean fits(int modelLayers, int modelKvDim) {
        return layers == modelLayers && kvDim == modelKvDim;
    }

    /** Layer {@code layer}'s keys, F16 bits, row per position (valid up to {@link #length()} + reserved). */
    short[] keys(int layer) {
        return keys[layer];
    }

    short[] values(int layer) {
        return values[layer];
    }

    /**
     * Stores {@code tokens} rows of keys and values (floats, rows of {@code kvDim} from
     * {@code srcRow}) at positions {@code position ..} of {@code layer}, rounded to F16 (to nearest,
     * ties to even, as the reference's conversion). The room must have been {@link #reserve reserved}.
     */
    void store(int layer, int position, float[] k, float[] v, int srcRow, int tokens) {
        int n = tokens * kvDim;
        toF16(k, srcRow * kvDim, keys[layer], position * kvDim, n);
        toF16(v, srcRow * kvDim, values[layer], position * kvDim, n);
    }

    /** A plain loop C2 turns into vector conversions (vcvtps2ph on x86 with F16C/AVX-512). */
    private static void toF16(float[] src, int from, short[] dst, int to, int n) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = Float.floatToFloat16(src[from + i]);
        }
    }

    /** Makes room for {@code extra} more tokens or fails with a clear message when the context is full. */
    void reserve(int extra) {
        long needed = (long) length + extra;
        if (needed > maxTokens) {
            throw new IllegalStateException("context full: " + length + " tokens + " + extra + " new exceed the context of "
                    + maxTokens + " tokens (raise --ctx)");
        }
        if (needed <= capacity) {
            return;
        }
        int newCapacity = Math.max(capacity, INITIAL_TOKENS);
        while (newCapacity < needed) {
            newCapacity = (int) Math.min((long) newCapacity * 2, maxTokens);
        }
        newCapacity = Math.min(newCapacity, maxTokens);
        for (int l = 0; l < layers; l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], newCapacity * kvDim);
            values[l] = java.util.Arrays.copyOf(values[l], newCapacity * kvDim);
        }
        capacity = newCapacity;
    }

    void advance(int tokens) {
        length += tokens;
    }
}

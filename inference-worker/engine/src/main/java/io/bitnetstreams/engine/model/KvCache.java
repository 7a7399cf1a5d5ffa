package io.bitnetstreams.engine.model;

/**
 * The keys and values of one sequence, F32, per layer. Storage grows lazily (doubling) up to
 * {@link #maxTokens()}, so a short run never allocates the whole context. Not thread-safe: one per
 * sequence.
 */
public final class KvCache {

    private static final int INITIAL_TOKENS = 64;

    private final int layers;
    private final int kvDim;
    private final int maxTokens;
    private final float[][] keys;
    private final float[][] values;
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
        this.keys = new float[layers][];
        this.values = new float[layers][];
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[0];
            values[l] = new float[0];
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
        return 2L * layers * capacity * kvDim * Float.BYTES;
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

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
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

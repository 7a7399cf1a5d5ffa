package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.KvCache;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KV caches of prompt prefixes (system prompts, classification instructions with few-shot
 * examples), computed once and then only read by later requests. A lookup finds the cached prefix
 * sharing the most leading tokens with a prompt (keys at a position depend only on the tokens up to
 * it, so any leading part of a cached prefix is reusable). Bounded by bytes, least recently used
 * first out; evicted caches live on while running sequences still read them. Thread-safe.
 */
public final class PrefixCache {

    /** A cached cache and how many leading prompt tokens it covers. */
    public record Match(KvCache cache, int length) {
    }

    private record Key(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }

    private final long maxBytes;
    private final long bytesPerToken;
    private final LinkedHashMap<Key, KvCache> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.Set<Key> pending = new java.util.HashSet<>();
    private long bytes;
    private long hits;
    private long misses;

    public PrefixCache(long maxBytes, long bytesPerToken) {
        this.maxBytes = maxBytes;
        this.bytesPerToken = bytesPerToken;
    }

    /**
     * The longest reusable prefix of {@code prompt} of {@code minLength} to {@code maxLength} tokens,
     * or null (a miss).
     */
    public synchronized Match lookup(int[] prompt, int minLength, int maxLength) {
        Key best = null;
        int bestLength = 0;
        for (Key key : entries.keySet()) {
            int n = Math.min(Math.min(key.tokens().length, prompt.length), maxLength);
            int common = 0;
            while (common < n && key.tokens()[common] == prompt[common]) {
                common++;
            }
            if (common > bestLength) {
                best = key;
                bestLength = common;
            }
        }
        if (best == null || bestLength < minLength) {
            misses++;
            return null;
        }
        hits++;
        return new Match(entries.get(best), bestLength); // get() refreshes its LRU position
    }

    /**
     * Claims the computation of {@code prefix}: true when the caller should compute it, false when
     * another sequence already is (the caller waits for it rather than computing it twice).
     */
    public synchronized boolean claim(int[] prefix) {
        return pending.add(new Key(prefix));
    }

    /** True while some sequence computes {@code prefix}. */
    public synchronized boolean isPending(int[] prefix) {
        return pending.contains(new Key(prefix));
    }

    /** Gives up a claim (the claiming request ended before the prefix was complete). */
    public synchronized void abandon(int[] prefix) {
        pending.remove(new Key(prefix));
    }

    /** Adds a fully computed prefix; its cache must never be written again. */
    public synchronized void publish(int[] tokens, KvCache cache) {
        pending.remove(new Key(tokens));
        long size = tokens.length * bytesPerToken;
        if (size > maxBytes) {
            return;
        }
        Key key = new Key(tokens.clone());
        if (entries.putIfAbsent(key, cache) != null) {
            return;
        }
        bytes += size;
        for (Iterator<Map.Entry<Key, KvCache>> it = entries.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            Map.Entry<Key, KvCache> eldest = it.next();
            bytes -= eldest.getKey().tokens().length * bytesPerToken;
            it.remove();
        }
    }

    public synchronized int entries() {
        return entries.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}

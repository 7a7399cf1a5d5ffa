package io.bitnetstreams.engine.json;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token masks for one schema over one vocabulary: which tokens keep the output a prefix of a
 * schema-valid document. Masks are memoized per automaton state (bounded LRU), so the repeated states
 * of long strings and arrays cost one trie walk. Thread-safe.
 */
public final class TokenMasker {

    public static final int DEFAULT_CACHE_ENTRIES = 2048;

    private final JsonAutomaton automaton;
    private final VocabularyTrie trie;
    private final Tokenizer tokenizer;
    private final Map<JsonState, BitSet> cache;

    public TokenMasker(JsonSchema schema, Tokenizer tokenizer) {
        this(new JsonAutomaton(schema), tokenizer, DEFAULT_CACHE_ENTRIES);
    }

    public TokenMasker(JsonAutomaton automaton, Tokenizer tokenizer, int cacheEntries) {
        this.automaton = automaton;
        this.tokenizer = tokenizer;
        this.trie = VocabularyTrie.of(tokenizer);
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<JsonState, BitSet> eldest) {
                return size() > cacheEntries;
            }
        };
    }

    public JsonAutomaton automaton() {
        return automaton;
    }

    /** The allowed tokens from {@code state}; callers must not modify the returned set. */
    public BitSet allowed(JsonState state) {
        synchronized (cache) {
            BitSet cached = cache.get(state);
            if (cached != null) {
                return cached;
            }
        }
        BitSet mask = new BitSet(trie.vocabularySize());
        if (!JsonAutomaton.isComplete(state)) {
            trie.collect(automaton, state, mask);
        }
        synchronized (cache) {
            cache.put(state, mask);
        }
        return mask;
    }

    /** The state after emitting token {@code id}, or null when the token is not allowed. */
    public JsonState advance(JsonState state, int id) {
        if (tokenizer.isSpecial(id)) {
            return null;
        }
        byte[] bytes = tokenizer.tokenBytes(id);
        return bytes.length == 0 ? null : automaton.advance(state, bytes);
    }

    /** Sets the logits of disallowed tokens to negative infinity (first {@code vocab} entries from offset). */
    public static void applyMask(BitSet allowed, float[] logits, int offset, int vocab) {
        for (int id = 0; id < vocab; id++) {
            if (!allowed.get(id)) {
                logits[offset + id] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}

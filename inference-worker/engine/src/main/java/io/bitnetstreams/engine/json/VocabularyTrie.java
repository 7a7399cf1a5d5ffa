package io.bitnetstreams.engine.json;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The byte strings of a vocabulary's tokens as a trie in flat arrays, built once per tokenizer and
 * cached ({@link #of}). Walking it alongside an automaton visits each shared prefix once, so a mask
 * costs far less than simulating every token. Tokens with no bytes (special tokens) are left out:
 * constrained decoding never emits them.
 */
public final class VocabularyTrie {

    private static final Map<Tokenizer, VocabularyTrie> CACHE = new WeakHashMap<>();

    private final int vocabularySize;
    /** Children of node n: edges firstChild[n] .. firstChild[n + 1] - 1, sorted by label. */
    private final int[] firstChild;
    private final byte[] edgeLabel;
    private final int[] edgeTarget;
    /** Tokens ending at node n: tokenIds[firstToken[n] .. firstToken[n + 1] - 1]. */
    private final int[] firstToken;
    private final int[] tokenIds;

    private VocabularyTrie(int vocabularySize, int[] firstChild, byte[] edgeLabel, int[] edgeTarget, int[] firstToken,
                           int[] tokenIds) {
        this.vocabularySize = vocabularySize;
        this.firstChild = firstChild;
        this.edgeLabel = edgeLabel;
        this.edgeTarget = edgeTarget;
        this.firstToken = firstToken;
        this.tokenIds = tokenIds;
    }

    /** The trie of {@code tokenizer}'s vocabulary, built on first use and shared afterwards. */
    public static VocabularyTrie of(Tokenizer tokenizer) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(tokenizer, VocabularyTrie::build);
        }
    }

    static VocabularyTrie build(Tokenizer tokenizer) {
        int size = tokenizer.vocabularySize();
        byte[][] bytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            bytes[id] = tokenizer.isSpecial(id) ? new byte[0] : tokenizer.tokenBytes(id);
        }
        return build(bytes);
    }

    /** Builds from explicit byte strings (index = token id). */
    static VocabularyTrie build(byte[][] tokens) {
        Integer[] order = new Integer[tokens.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(tokens[a], tokens[b]));
        // Build a pointer trie from sorted strings, then flatten breadth-agnostically (pre-order).
        List<int[]> children = new ArrayList<>(); // per node: growable list encoded as [count, label0, child0, ...]
        List<List<Integer>> ends = new ArrayList<>();
        children.add(new int[] {0});
        ends.add(new ArrayList<>());
        for (int id : order) {
            byte[] t = tokens[id];
            if (t.length == 0) {
                continue;
            }
            int node = 0;
            for (byte value : t) {
                int label = value & 0xFF;
                int[] c = children.get(node);
                int count = c[0];
                int next = -1;
                if (count > 0 && c[1 + 2 * (count - 1)] == label) {
                    next = c[2 + 2 * (count - 1)]; // sorted input: a shared prefix is always the last child
                }
                if (next < 0) {
                    next = children.size();
                    children.add(new int[] {0});
                    ends.add(new ArrayList<>());
                    if (c.length < 3 + 2 * count) {
                        c = Arrays.copyOf(c, Math.max(3, c.length * 2 + 1));
                        children.set(node, c);
                    }
                    c[1 + 2 * count] = label;
                    c[2 + 2 * count] = next;
                    c[0] = count + 1;
                }
                node = next;
            }
            ends.get(node).add(id);
        }
        int nodes = children.size();
        int[] firstChild = new int[nodes + 1];
        int[] firstToken = new int[nodes + 1];
        int edges = 0;
        int ids = 0;
        for (int n = 0; n < nodes; n++) {
            firstChild[n] = edges;
            firstToken[n] = ids;
            edges += children.get(n)[0];
            ids += ends.get(n).size();
        }
        firstChild[nodes] = edges;
        firstToken[nodes] = ids;
        byte[] edgeLabel = new byte[edges];
        int[] edgeTarget = new int[edges];
        int[] tokenIds = new int[ids];
        for (int n = 0; n < nodes; n++) {
            int[] c = children.get(n);
            for (int i = 0; i < c[0]; i++) {
                edgeLabel[firstChild[n] + i] = (byte) c[1 + 2 * i];
                edgeTarget[firstChild[n] + i] = c[2 + 2 * i];
            }
            List<Integer> e = ends.get(n);
            for (int i = 0; i < e.size(); i++) {
                tokenIds[firstToken[n] + i] = e.get(i);
            }
        }
        return new VocabularyTrie(tokens.length, firstChild, edgeLabel, edgeTarget, firstToken, tokenIds);
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    public int nodeCount() {
        return firstChild.length - 1;
    }

    /** Sets in {@code mask} every token whose bytes the automaton accepts from {@code state}. */
    void collect(JsonAutomaton automaton, JsonState state, java.util.BitSet mask) {
        walk(automaton, 0, state, mask);
    }

    private void walk(JsonAutomaton automaton, int node, JsonState state, java.util.BitSet mask) {
        for (int e = firstChild[node]; e < firstChild[node + 1]; e++) {
            JsonState next = automaton.advance(state, edgeLabel[e] & 0xFF);
            if (next == null) {
                continue;
            }
            int child = edgeTarget[e];
            for (int t = firstToken[child]; t < firstToken[child + 1]; t++) {
                mask.set(tokenIds[t]);
            }
            walk(automaton, child, next, mask);
        }
    }
}

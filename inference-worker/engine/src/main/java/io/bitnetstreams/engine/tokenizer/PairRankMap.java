package io.bitnetstreams.engine.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from a token pair (left id, right id) to its merge rank, on primitive
 * arrays so the merge loop never boxes. Filled once, then read-only (safe to share).
 */
final class PairRankMap {

    static final int ABSENT = Integer.MAX_VALUE;
    private static final long EMPTY = -1L; // impossible key: the right id is never negative

    private final long[] keys;
    private final int[] ranks;
    private final int shift;
    private int size;

    PairRankMap(int expectedPairs) {
        int capacity = Integer.highestOneBit(Math.max(8, expectedPairs * 2 - 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        Arrays.fill(keys, EMPTY);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    /** Adds the pair unless present (a pair keeps its first, lowest rank); false when present. */
    boolean putIfAbsent(int left, int right, int rank) {
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return false;
            }
            if (keys[slot] == EMPTY) {
                if (size + 1 > keys.length / 2) {
                    throw new IllegalStateException("pair map sized for fewer pairs");
                }
                keys[slot] = key;
                ranks[slot] = rank;
                size++;
                return true;
            }
        }
    }

    /** The rank of the pair, or {@link #ABSENT}. */
    int rank(int left, int right) {
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return ranks[slot];
            }
            if (k == EMPTY) {
                return ABSENT;
            }
        }
    }

    int size() {
        return size;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}

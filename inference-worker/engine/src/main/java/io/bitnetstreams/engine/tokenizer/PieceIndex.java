package io.bitnetstreams.engine.tokenizer;

import java.util.List;

/**
 * Finds a token id by its vocabulary text, given as a region of a larger string or as two joined
 * regions, without allocating; used to parse the merge list ("left right") quickly.
 */
final class PieceIndex {

    private final List<String> pieces;
    private final int[] slots; // id + 1, 0 = empty
    private final int mask;

    /** Indexes the ids whose {@code include} flag is set; the first id wins for duplicate texts. */
    PieceIndex(List<String> pieces, boolean[] include) {
        this.pieces = pieces;
        int capacity = Integer.highestOneBit(Math.max(4, pieces.size() * 2 - 1)) << 1;
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int id = 0; id < pieces.size(); id++) {
            String piece = pieces.get(id);
            if (include[id] && find(piece, 0, piece.length()) < 0) {
                int slot = finish(hash(0, piece, 0, piece.length())) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = id + 1;
            }
        }
    }

    /** The id whose text is {@code text[from, to)}, or -1. */
    int find(String text, int from, int to) {
        return findJoined(text, from, to, to, to);
    }

    /** The id whose text is {@code text[from1, to1)} followed by {@code text[from2, to2)}, or -1. */
    int findJoined(String text, int from1, int to1, int from2, int to2) {
        int length = (to1 - from1) + (to2 - from2);
        int slot = finish(hash(hash(0, text, from1, to1), text, from2, to2)) & mask;
        while (true) {
            int entry = slots[slot];
            if (entry == 0) {
                return -1;
            }
            String candidate = pieces.get(entry - 1);
            if (candidate.length() == length
                    && candidate.regionMatches(0, text, from1, to1 - from1)
                    && candidate.regionMatches(to1 - from1, text, from2, to2 - from2)) {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int hash(int h, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h;
    }

    private static int finish(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

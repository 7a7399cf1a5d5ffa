package io.bitnetstreams.engine.tokenizer;

import java.util.Arrays;

/**
 * Finds a token id by its bytes without allocating: open addressing over ids, keys compared
 * against the token byte arrays themselves. Immutable once built.
 */
final class ByteSequenceIndex {

    private final byte[][] bytesById;
    private final int[] slots; // token id + 1, 0 = empty
    private final int mask;

    /** Indexes every id whose {@code include} flag is set; the first id wins for duplicate bytes. */
    ByteSequenceIndex(byte[][] bytesById, boolean[] include) {
        this.bytesById = bytesById;
        int capacity = Integer.highestOneBit(Math.max(4, bytesById.length * 2 - 1)) << 1;
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int id = 0; id < bytesById.length; id++) {
            if (include[id] && find(bytesById[id], 0, bytesById[id].length) < 0) {
                int slot = hash(bytesById[id], 0, bytesById[id].length) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = id + 1;
            }
        }
    }

    /** The id of the token with exactly these bytes, or -1. */
    int find(byte[] source, int offset, int length) {
        int slot = hash(source, offset, length) & mask;
        while (true) {
            int entry = slots[slot];
            if (entry == 0) {
                return -1;
            }
            byte[] candidate = bytesById[entry - 1];
            if (candidate.length == length
                    && Arrays.equals(candidate, 0, length, source, offset, offset + length)) {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int hash(byte[] source, int offset, int length) {
        int h = 0x9E3779B9 ^ length;
        for (int i = offset; i < offset + length; i++) {
            h = (h ^ source[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}

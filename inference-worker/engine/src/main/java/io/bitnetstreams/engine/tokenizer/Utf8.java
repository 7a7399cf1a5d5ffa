package io.bitnetstreams.engine.tokenizer;

/**
 * UTF-8 decoding with the Unicode "maximal subpart" replacement (as WHATWG, Python and Rust do):
 * each maximal prefix of a well-formed sequence that cannot complete becomes one U+FFFD, and a
 * byte that starts no sequence becomes one U+FFFD. Unlike the JDK decoder, the result therefore
 * never depends on bytes after such a prefix, which lets the streaming decoder cut anywhere
 * before a pending sequence and still produce what decoding everything at once produces.
 */
final class Utf8 {

    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    static String decode(byte[] bytes, int offset, int length) {
        StringBuilder text = new StringBuilder(length);
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                text.append((char) lead);
                i++;
                continue;
            }
            int needed = sequenceLength(lead);
            if (needed == 1) {
                text.append(REPLACEMENT);
                i++;
                continue;
            }
            int codePoint = lead & (0x7F >> needed);
            int next = i + 1;
            boolean complete = true;
            for (int k = 1; k < needed; k++) {
                if (next >= end || !inRange(lead, k, bytes[next] & 0xFF)) {
                    complete = false;
                    break;
                }
                codePoint = (codePoint << 6) | (bytes[next] & 0x3F);
                next++;
            }
            if (complete) {
                text.appendCodePoint(codePoint);
            } else {
                text.append(REPLACEMENT);
            }
            i = next;
        }
        return text.toString();
    }

    /** Length of the sequence a lead byte starts; 1 for ASCII and for bytes that start none. */
    static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 1;
    }

    /** Whether byte {@code position} (1..3) of a sequence with this lead is well-formed (Unicode table 3-7). */
    static boolean inRange(int lead, int position, int value) {
        int low = 0x80;
        int high = 0xBF;
        if (position == 1) {
            switch (lead) {
                case 0xE0 -> low = 0xA0;
                case 0xED -> high = 0x9F;
                case 0xF0 -> low = 0x90;
                case 0xF4 -> high = 0x8F;
                default -> { }
            }
        }
        return value >= low && value <= high;
    }

    /**
     * Length of the prefix that can be decoded now: everything but a trailing sequence that is
     * well-formed so far and still incomplete (at most 3 bytes).
     */
    static int completePrefixLength(byte[] bytes, int length) {
        int start = length - 1;
        while (start >= 0 && length - start < 4 && (bytes[start] & 0xC0) == 0x80) {
            start--;
        }
        if (start < 0) {
            return length;
        }
        int lead = bytes[start] & 0xFF;
        int present = length - start;
        if (sequenceLength(lead) <= present) {
            return length;
        }
        for (int k = 1; k < present; k++) {
            if (!inRange(lead, k, bytes[start + k] & 0xFF)) {
                return length;
            }
        }
        return start;
    }
}

package io.bitnetstreams.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Streams token bytes as text, holding back a trailing sequence that is a valid but incomplete
 * UTF-8 prefix (at most 3 bytes) until it completes. Everything else is emitted at once, invalid
 * bytes as U+FFFD, so the concatenated output equals decoding all ids at once.
 */
final class Utf8StreamingDecoder implements StreamingDecoder {

    private final IntFunction<byte[]> bytesOfToken;
    private byte[] pending = new byte[16];
    private int pendingCount;

    Utf8StreamingDecoder(IntFunction<byte[]> bytesOfToken) {
        this.bytesOfToken = bytesOfToken;
    }

    @Override
    public String accept(int id) {
        byte[] token = bytesOfToken.apply(id);
        if (pendingCount + token.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingCount + token.length));
        }
        System.arraycopy(token, 0, pending, pendingCount, token.length);
        pendingCount += token.length;
        int complete = completePrefixLength(pending, pendingCount);
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingCount - complete);
        pendingCount -= complete;
        return text;
    }

    @Override
    public String flush() {
        String text = new String(pending, 0, pendingCount, StandardCharsets.UTF_8);
        pendingCount = 0;
        return text;
    }

    /** Length of the prefix that can be decoded now: all but a trailing incomplete valid sequence. */
    static int completePrefixLength(byte[] bytes, int length) {
        int start = length - 1;
        while (start >= 0 && length - start < 4 && isContinuation(bytes[start])) {
            start--;
        }
        if (start < 0) {
            return length;
        }
        int expected = sequenceLength(bytes[start] & 0xFF);
        int present = length - start;
        if (expected <= present || !isValidPrefix(bytes, start, present)) {
            return length;
        }
        return start;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** Length of the sequence a lead byte starts; 1 for ASCII and for bytes that start none. */
    private static int sequenceLength(int lead) {
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

    /** Whether the bytes after the lead stay within the ranges of well-formed UTF-8 (Unicode table 3-7). */
    private static boolean isValidPrefix(byte[] bytes, int start, int present) {
        if (present < 2) {
            return true;
        }
        int lead = bytes[start] & 0xFF;
        int second = bytes[start + 1] & 0xFF;
        return switch (lead) {
            case 0xE0 -> second >= 0xA0;
            case 0xED -> second <= 0x9F;
            case 0xF0 -> second >= 0x90;
            case 0xF4 -> second <= 0x8F;
            default -> true; // continuation bytes are already known to be 0x80..0xBF
        };
    }
}

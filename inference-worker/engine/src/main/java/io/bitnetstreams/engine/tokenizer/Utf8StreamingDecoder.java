package io.bitnetstreams.engine.tokenizer;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Streams token bytes as text, holding back a trailing sequence that is a valid but incomplete
 * UTF-8 prefix (at most 3 bytes) until it completes. Everything else is emitted at once, invalid
 * bytes as U+FFFD ({@link Utf8}), so the concatenated output equals decoding all ids at once.
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
        int complete = Utf8.completePrefixLength(pending, pendingCount);
        if (complete == 0) {
            return "";
        }
        String text = Utf8.decode(pending, 0, complete);
        System.arraycopy(pending, complete, pending, 0, pendingCount - complete);
        pendingCount -= complete;
        return text;
    }

    @Override
    public String flush() {
        String text = Utf8.decode(pending, 0, pendingCount);
        pendingCount = 0;
        return text;
    }
}

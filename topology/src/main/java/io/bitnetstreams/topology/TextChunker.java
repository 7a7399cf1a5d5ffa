package io.bitnetstreams.topology;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a document into chunks of at most {@code budget} tokens on token boundaries, neighbours sharing
 * {@code overlap} tokens. A chunk ends at the last paragraph break in its second half if there is one, else at the
 * last sentence end there, else at the budget, so that chunks rarely cut a sentence.
 */
public final class TextChunker {

    /** One piece of the document and its token count. */
    public record Chunk(String text, int tokens) {}

    private final Tokenizer tokenizer;
    private final int budget;
    private final int overlap;

    public TextChunker(Tokenizer tokenizer, int budget, int overlap) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (budget < 2 || overlap < 0 || overlap > budget / 2) {
            throw new IllegalArgumentException("need budget >= 2 and 0 <= overlap <= budget/2, got " + budget + "/" + overlap);
        }
        this.budget = budget;
        this.overlap = overlap;
    }

    public List<Chunk> split(String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length <= budget) {
            return List.of(new Chunk(text, ids.length));
        }
        int[] charAt = tokenBoundaryChars(text, ids);
        List<Chunk> chunks = new ArrayList<>();
        int start = 0;
        while (start < ids.length) {
            int end = Math.min(start + budget, ids.length);
            if (end < ids.length) {
                end = preferredEnd(text, charAt, start, end);
            }
            chunks.add(new Chunk(text.substring(charAt[start], charAt[end]), end - start));
            if (end == ids.length) {
                break;
            }
            start = Math.max(end - overlap, start + 1);
        }
        return chunks;
    }

    /**
     * Char offset in {@code text} of every token boundary (ids.length + 1 of them). A boundary inside a multi-byte
     * character (byte-level tokens) is moved back to the character's start, so substrings stay valid text.
     */
    private int[] tokenBoundaryChars(String text, int[] ids) {
        int[] chars = new int[ids.length + 1];
        int charPos = 0;
        long bytePos = 0;
        long tokenEnd = 0;
        for (int i = 0; i < ids.length; i++) {
            tokenEnd += tokenizer.tokenBytes(ids[i]).length;
            while (charPos < text.length()) {
                int cp = text.codePointAt(charPos);
                int len = utf8Length(cp);
                if (bytePos + len > tokenEnd) {
                    break;
                }
                bytePos += len;
                charPos += Character.charCount(cp);
            }
            chars[i + 1] = charPos;
        }
        chars[ids.length] = text.length();
        return chars;
    }

    private int preferredEnd(String text, int[] charAt, int start, int end) {
        int earliest = start + Math.max(1, budget / 2);
        int sentence = -1;
        for (int j = end; j >= earliest; j--) {
            int c = charAt[j];
            if (c <= charAt[start]) {
                break;
            }
            if (c >= 2 && text.charAt(c - 1) == '\n' && text.charAt(c - 2) == '\n') {
                return j;
            }
            if (sentence < 0 && endsSentence(text, c)) {
                sentence = j;
            }
        }
        return sentence > 0 ? sentence : end;
    }

    private static boolean endsSentence(String text, int c) {
        char before = text.charAt(c - 1);
        boolean nextIsSpace = c >= text.length() || Character.isWhitespace(text.charAt(c));
        return before == '\n' || ((before == '.' || before == '!' || before == '?') && nextIsSpace);
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}

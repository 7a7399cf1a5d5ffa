package io.bitnetstreams.engine.tokenizer;

/**
 * The Llama 3 pre-tokenizer as a hand-written scanner over code points. It splits exactly like
 * {@code Pattern.compile(PATTERN, Pattern.UNICODE_CHARACTER_CLASS)} with repeated {@code find()},
 * which the property test checks. UNICODE_CHARACTER_CLASS makes {@code \s} the Unicode White_Space
 * property (as in tiktoken's and Hugging Face's regex engines and llama.cpp) instead of ASCII only.
 *
 * <p>The alternatives are tried in order at each position; every position matches one of them, so
 * the pieces cover the text without gaps.
 */
final class Llama3PreTokenizer {

    /** The pattern this scanner implements. */
    static final String PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final int LETTER = 1;
    private static final int NUMBER = 2;
    private static final int SPACE = 3;
    private static final int OTHER = 4;

    private static final int LETTER_TYPES = (1 << Character.UPPERCASE_LETTER) | (1 << Character.LOWERCASE_LETTER)
            | (1 << Character.TITLECASE_LETTER) | (1 << Character.MODIFIER_LETTER) | (1 << Character.OTHER_LETTER);
    private static final int NUMBER_TYPES = (1 << Character.DECIMAL_DIGIT_NUMBER) | (1 << Character.LETTER_NUMBER)
            | (1 << Character.OTHER_NUMBER);
    private static final int SPACE_TYPES = (1 << Character.SPACE_SEPARATOR) | (1 << Character.LINE_SEPARATOR)
            | (1 << Character.PARAGRAPH_SEPARATOR);

    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII_CLASS[c] = (byte) classifySlow(c);
        }
    }

    private Llama3PreTokenizer() {
    }

    /** Where the piece starting at {@code start} ends (exclusive); {@code start < text.length()}. */
    static int pieceEnd(String text, int start) {
        int length = text.length();
        int c = text.codePointAt(start);
        int afterC = start + Character.charCount(c);
        int cClass = classify(c);
        if (c == '\'' && afterC < length) {
            int contraction = contractionEnd(text, afterC);
            if (contraction > 0) {
                return contraction;
            }
        }
        if (cClass == LETTER) {
            return runEnd(text, afterC, LETTER);
        }
        int d = afterC < length ? text.codePointAt(afterC) : -1;
        int dClass = d < 0 ? 0 : classify(d);
        if (cClass != NUMBER && c != '\r' && c != '\n' && dClass == LETTER) {
            return runEnd(text, afterC + Character.charCount(d), LETTER);
        }
        if (cClass == NUMBER) {
            return numberEnd(text, afterC);
        }
        if (c == ' ' && dClass == OTHER) {
            return newlinesEnd(text, runEnd(text, afterC + Character.charCount(d), OTHER));
        }
        if (cClass == OTHER) {
            return newlinesEnd(text, runEnd(text, afterC, OTHER));
        }
        return whitespaceEnd(text, start);
    }

    /** {@code \s*[\r\n]+ | \s+(?!\S) | \s+} at a whitespace character (all are single chars). */
    private static int whitespaceEnd(String text, int start) {
        int end = start;
        int afterLastNewline = -1;
        while (end < text.length() && classify(text.charAt(end)) == SPACE) {
            char ch = text.charAt(end++);
            if (ch == '\r' || ch == '\n') {
                afterLastNewline = end;
            }
        }
        if (afterLastNewline > 0) {
            return afterLastNewline;
        }
        if (end == text.length() || end - start == 1) {
            return end;
        }
        return end - 1; // leave the last space to join the next word
    }

    private static int contractionEnd(String text, int afterApostrophe) {
        int first = text.codePointAt(afterApostrophe);
        int afterFirst = afterApostrophe + Character.charCount(first);
        if (foldsTo(first, 's') || foldsTo(first, 't') || foldsTo(first, 'm') || foldsTo(first, 'd')) {
            return afterFirst;
        }
        if (afterFirst >= text.length()) {
            return -1;
        }
        int second = text.codePointAt(afterFirst);
        int afterSecond = afterFirst + Character.charCount(second);
        if ((foldsTo(first, 'r') || foldsTo(first, 'v')) && foldsTo(second, 'e')) {
            return afterSecond;
        }
        if (foldsTo(first, 'l') && foldsTo(second, 'l')) {
            return afterSecond;
        }
        return -1;
    }

    /** Case-insensitive equality the way java.util.regex does it under UNICODE_CASE. */
    private static boolean foldsTo(int codePoint, char lowerAscii) {
        return codePoint == lowerAscii || Character.toLowerCase(Character.toUpperCase(codePoint)) == lowerAscii;
    }

    private static int runEnd(String text, int from, int wanted) {
        int i = from;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (classify(cp) != wanted) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int numberEnd(String text, int from) {
        int i = from;
        for (int count = 1; count < 3 && i < text.length(); count++) {
            int cp = text.codePointAt(i);
            if (classify(cp) != NUMBER) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int newlinesEnd(String text, int from) {
        int i = from;
        while (i < text.length() && (text.charAt(i) == '\r' || text.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }

    private static int classify(int codePoint) {
        return codePoint < 128 ? ASCII_CLASS[codePoint] : classifySlow(codePoint);
    }

    private static int classifySlow(int codePoint) {
        int typeBit = 1 << Character.getType(codePoint);
        if ((typeBit & LETTER_TYPES) != 0) {
            return LETTER;
        }
        if ((typeBit & NUMBER_TYPES) != 0) {
            return NUMBER;
        }
        if (isWhiteSpace(codePoint)) {
            return SPACE;
        }
        return OTHER;
    }

    /** Unicode White_Space, defined as java.util.regex defines {@code \s} under UNICODE_CHARACTER_CLASS. */
    static boolean isWhiteSpace(int codePoint) {
        return (codePoint >= 0x9 && codePoint <= 0xD) || codePoint == 0x85
                || ((1 << Character.getType(codePoint)) & SPACE_TYPES) != 0;
    }
}

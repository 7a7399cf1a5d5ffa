package io.bitnetstreams.engine.tokenizer;

/**
 * GPT-2's reversible byte-to-unicode mapping: vocabularies store every token as text in which each
 * byte is one character, printable bytes as themselves and the others (controls, space, 0x7F-0xA0,
 * 0xAD) shifted to U+0100 and up, so space is 'Ġ' (U+0120) and newline 'Ċ' (U+010A).
 */
final class ByteLevelCodec {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Inverse table; -1 for characters that stand for no byte. Covers U+0000..U+0143. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelCodec() {
    }

    /** The vocabulary text of a byte string. */
    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The bytes a vocabulary text stands for, or null when a character is outside the mapping. */
    static byte[] decodeOrNull(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}

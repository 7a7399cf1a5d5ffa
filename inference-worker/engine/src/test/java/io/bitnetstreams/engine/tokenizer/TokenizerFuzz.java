package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer target: untrusted text never becomes a control token. Any bytes, read three ways (UTF-8 with replacement,
 * Latin-1, and UTF-16 code units so lone surrogates occur), encode to ids inside the vocabulary none of which is
 * special, even when the text spells {@code <|eot_id|>}; decoding gives the text back (for well-formed text) and
 * the streaming decoder agrees with the one-shot decoder. Arbitrary ids decode or fail with IllegalArgumentException.
 * Seeds: {@code TokenizerFuzzInputs/encode/} (plain text we wrote).
 */
class TokenizerFuzz {

    /** 256 byte tokens, a few merges (so the BPE loop runs), then the 256 Llama 3 specials, as a GGUF carries them. */
    private static final Llama3Tokenizer TOKENIZER = smallLlama3();

    @FuzzTest
    void encode(byte[] input) {
        checkText(new String(input, StandardCharsets.UTF_8));
        checkText(new String(input, StandardCharsets.ISO_8859_1));
        char[] units = new char[input.length / 2];
        ByteBuffer.wrap(input).asCharBuffer().get(units);
        checkText(new String(units));
        checkIds(input);
    }

    private static void checkText(String text) {
        int[] ids = TOKENIZER.encode(text);
        for (int id : ids) {
            assertThat(id).isBetween(0, TOKENIZER.vocabularySize() - 1);
            assertThat(TOKENIZER.isSpecial(id)).as("text %s became special token %d", text, id).isFalse();
        }
        String decoded = TOKENIZER.decode(ids);
        if (isWellFormed(text)) {
            assertThat(decoded).isEqualTo(text);
        }
        StreamingDecoder stream = TOKENIZER.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(stream.accept(id));
        }
        streamed.append(stream.flush());
        assertThat(streamed.toString()).isEqualTo(decoded);
    }

    /** Ids straight from the input (generated ids come from the model, not the user, but must still be checked). */
    private static void checkIds(byte[] input) {
        int[] ids = new int[input.length / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (short) ((input[2 * i] << 8) | (input[2 * i + 1] & 0xFF));
        }
        try {
            TOKENIZER.decode(ids);
        } catch (IllegalArgumentException expected) {
            // an id outside the vocabulary is named
        }
    }

    private static boolean isWellFormed(String text) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(java.nio.CharBuffer.wrap(text));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static Llama3Tokenizer smallLlama3() {
        List<String> texts = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            texts.add(ByteLevelCodec.encode(new byte[] {(byte) b}));
        }
        List<String> merges = new ArrayList<>();
        for (String[] pair : new String[][] {{"<", "|"}, {"|", ">"}, {"e", "o"}, {"eo", "t"}, {"Ġ", "t"}, {"h", "e"},
                {"Ġt", "he"}, {"i", "d"}, {"_", "id"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}}) {
            merges.add(pair[0] + " " + pair[1]);
            texts.add(pair[0] + pair[1]);
        }
        return Llama3Tokenizer.create(Vocabulary.llama3(texts, merges), "llama3");
    }
}

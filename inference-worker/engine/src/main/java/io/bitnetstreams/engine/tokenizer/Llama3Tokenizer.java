package io.bitnetstreams.engine.tokenizer;

import java.util.Objects;

/**
 * Llama 3 byte-level BPE tokenizer. Work in progress: signatures are final, bodies follow.
 */
public final class Llama3Tokenizer implements Tokenizer {

    private final Vocabulary vocabulary;

    private Llama3Tokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /**
     * Builds a tokenizer from a vocabulary.
     *
     * @param preTokenizer the GGUF {@code tokenizer.ggml.pre} value; null, "llama3", "llama-bpe" and
     *                     "default" select the Llama 3 pre-tokenizer, anything else is rejected
     */
    public static Llama3Tokenizer create(Vocabulary vocabulary, String preTokenizer) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        return new Llama3Tokenizer(vocabulary);
    }

    @Override
    public int[] encode(String text) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public byte[] tokenBytes(int id) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String tokenPiece(int id) {
        return vocabulary.tokens().get(id);
    }

    @Override
    public String decode(int[] ids) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public boolean isSpecial(int id) {
        return vocabulary.tokenType(id) == Vocabulary.TYPE_CONTROL;
    }

    @Override
    public int specialTokenId(String piece) {
        return vocabulary.tokens().indexOf(piece);
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        throw new UnsupportedOperationException("not yet");
    }
}

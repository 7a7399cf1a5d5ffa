package io.bitnetstreams.engine.chat;

import io.bitnetstreams.engine.tokenizer.StreamingDecoder;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A test tokenizer: one token per UTF-16 char (id = char value), special tokens at 1000+ that are
 * reachable only by id, exactly like the contract of {@link Tokenizer#encode}.
 */
final class FakeTokenizer implements Tokenizer {

    static final int BOS = 1000;
    static final int EOS = 1001;
    static final int EOT = 1009;

    private final Map<String, Integer> specials;

    FakeTokenizer(Map<String, Integer> specials) {
        this.specials = Map.copyOf(specials);
    }

    static FakeTokenizer llama3Like() {
        return new FakeTokenizer(Map.of("<|begin_of_text|>", BOS, "<|end_of_text|>", EOS, "<|eot_id|>", EOT));
    }

    /** The ids {@link #encode} gives for {@code text}: its chars. */
    static int[] chars(String text) {
        return text.chars().toArray();
    }

    @Override
    public int[] encode(String text) {
        return chars(text);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return isSpecial(id) ? new byte[0] : String.valueOf((char) id).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String tokenPiece(int id) {
        return specials.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst()
                .orElse(String.valueOf((char) id));
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (!isSpecial(id)) {
                text.append((char) id);
            }
        }
        return text.toString();
    }

    @Override
    public int vocabularySize() {
        return 1010;
    }

    @Override
    public boolean isSpecial(int id) {
        return specials.containsValue(id);
    }

    @Override
    public int specialTokenId(String piece) {
        return specials.getOrDefault(piece, -1);
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        throw new UnsupportedOperationException("not needed by the chat tests");
    }
}

package io.bitnetstreams.loadtest.workload;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.Arrays;

/** Token counts and cuts with the model's own tokenizer, or an estimate of four characters per token without one. */
public final class TokenCounter {

    private static final int CHARS_PER_TOKEN_ESTIMATE = 4;
    private final Tokenizer tokenizer;

    private TokenCounter(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static TokenCounter of(Tokenizer tokenizer) {
        return new TokenCounter(tokenizer);
    }

    public static TokenCounter estimate() {
        return new TokenCounter(null);
    }

    public boolean exact() {
        return tokenizer != null;
    }

    public int count(String text) {
        return tokenizer != null ? tokenizer.encode(text).length : (text.length() + CHARS_PER_TOKEN_ESTIMATE - 1) / CHARS_PER_TOKEN_ESTIMATE;
    }

    /** The text of the first {@code n} tokens of {@code text} (it re-encodes to n tokens, or one fewer at a merge). */
    public String firstTokens(String text, int n) {
        if (tokenizer == null) {
            return text.substring(0, Math.min(text.length(), n * CHARS_PER_TOKEN_ESTIMATE));
        }
        int[] ids = tokenizer.encode(text);
        return ids.length <= n ? text : tokenizer.decode(Arrays.copyOf(ids, n));
    }
}

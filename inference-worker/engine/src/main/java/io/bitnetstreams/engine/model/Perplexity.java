package io.bitnetstreams.engine.model;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Perplexity exactly as llama.cpp's {@code perplexity} tool computes it: the token stream (BOS
 * first) is cut into {@code floor(n / ctx)} chunks of {@code ctx} tokens; each chunk runs on a
 * fresh KV cache with its first token replaced by BOS, and the log-softmax of the next token is
 * scored at positions {@code ctx/2 .. ctx-2}. PPL = exp(mean NLL over all scored tokens).
 */
public final class Perplexity {

    /** Progress after one chunk. */
    public record ChunkProgress(int chunk, int chunks, double runningPerplexity, long tokensScored) {
    }

    /** Receives every scored position's logits, in order (chunk by chunk, position by position). */
    @FunctionalInterface
    public interface ScoredRows {
        /**
         * @param logits row-major logits; this row is {@code logits[offset .. offset + vocab)}
         * @param target the actual next token
         */
        void accept(float[] logits, int offset, int target) throws java.io.IOException;
    }

    /** The final figure. */
    public record Result(double perplexity, long tokensScored, int chunks) {
    }

    /** Positions whose logits are held at once (64 x 128256 floats = 33 MB for the Llama 3 vocabulary). */
    static final int SLICE = 64;

    private Perplexity() {
    }

    /** The number of chunks {@code tokens} yields, limited by {@code maxChunks} (<= 0 = no limit). */
    public static int chunkCount(int tokens, int ctx, int maxChunks) {
        int chunks = tokens / ctx;
        return maxChunks > 0 ? Math.min(chunks, maxChunks) : chunks;
    }

    /**
     * @param tokens    the whole tokenized text, BOS first
     * @param ctx       chunk length (at least 4)
     * @param maxChunks limit on chunks, <= 0 for all
     * @param bosId     the id that replaces each chunk's first token
     */
    public static Result compute(BitNetModel model, int[] tokens, int ctx, int maxChunks, int bosId,
                                 Consumer<ChunkProgress> progress) {
        try {
            return compute(model, tokens, ctx, maxChunks, bosId, progress, (logits, offset, target) -> { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Like {@link #compute(BitNetModel, int[], int, int, int, Consumer)}, handing every scored row to {@code rows}. */
    public static Result compute(BitNetModel model, int[] tokens, int ctx, int maxChunks, int bosId,
                                 Consumer<ChunkProgress> progress, ScoredRows rows) throws java.io.IOException {
        if (ctx < 4) {
            throw new IllegalArgumentException("the perplexity context must be at least 4 tokens: " + ctx);
        }
        if (tokens.length < ctx) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one chunk of "
                    + ctx + " (use a longer file or a smaller --ctx)");
        }
        int chunks = chunkCount(tokens.length, ctx, maxChunks);
        int vocab = model.config().vocabSize();
        int first = ctx / 2;
        double nll = 0;
        long scored = 0;
        KvCache cache = model.newCache(ctx);
        for (int c = 0; c < chunks; c++) {
            int start = c * ctx;
            int[] chunk = Arrays.copyOfRange(tokens, start, start + ctx);
            chunk[0] = bosId;
            cache.clear();
            // The unscored first half runs as one batch without logits; the scored half runs in slices
            // so that at most SLICE rows of logits exist at once. The last token predicts nothing and is not run.
            model.forward(cache, Arrays.copyOf(chunk, first), first);
            for (int from = first; from < ctx - 1; from += SLICE) {
                int to = Math.min(ctx - 1, from + SLICE);
                float[] logits = model.forwardAll(cache, Arrays.copyOfRange(chunk, from, to));
                for (int j = from; j < to; j++) {
                    nll -= ModelMath.logSoftmaxAt(logits, (j - from) * vocab, vocab, tokens[start + j + 1]);
                    rows.accept(logits, (j - from) * vocab, tokens[start + j + 1]);
                    scored++;
                }
            }
            progress.accept(new ChunkProgress(c + 1, chunks, Math.exp(nll / scored), scored));
        }
        return new Result(Math.exp(nll / scored), scored, chunks);
    }
}

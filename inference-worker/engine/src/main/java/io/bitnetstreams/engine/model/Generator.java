package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.sampling.Sampler;
import java.util.Arrays;
import java.util.Set;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Autoregressive generation on one sequence: a batched prefill of the prompt, then one token at a
 * time through the KV cache until a stop id or the token budget.
 */
public final class Generator {

    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    /** Why generation ended. */
    public enum StopReason { STOP_TOKEN, MAX_TOKENS, CONTEXT_FULL, CALLER }

    /**
     * @param promptIds          the prompt as run (BOS included when added)
     * @param ids                generated ids, without the stop token
     * @param stopReason         why generation ended
     * @param prefillNanos       time of the prompt batch
     * @param decodeNanos        time of every later token together
     */
    public record Result(int[] promptIds, int[] ids, StopReason stopReason, long prefillNanos, long decodeNanos) {
    }

    private final BitNetModel model;

    public Generator(BitNetModel model) {
        this.model = model;
    }

    /**
     * Runs {@code promptIds} and generates up to {@code maxNewTokens} ids. {@code onToken} sees each
     * generated id (never a stop id) and may return false to stop early.
     */
    public Result generate(int[] promptIds, int maxNewTokens, Sampler sampler, Set<Integer> stopIds, KvCache cache,
                           IntPredicate onToken) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty (no tokens)");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0: " + maxNewTokens);
        }
        int vocab = model.config().vocabSize();
        int[] history = Arrays.copyOf(promptIds, promptIds.length + maxNewTokens);
        int length = promptIds.length;
        long start = System.nanoTime();
        float[] logits = model.forwardLast(cache, promptIds);
        long prefill = System.nanoTime() - start;
        LOG.debug("prefill of {} tokens in {} ms", promptIds.length, prefill / 1_000_000);
        StopReason reason = StopReason.MAX_TOKENS;
        long decodeStart = System.nanoTime();
        int generated = 0;
        while (generated < maxNewTokens) {
            int next = sampler.sample(logits, history, length);
            if (next < 0 || next >= vocab) {
                throw new IllegalStateException("sampler returned id " + next + " outside the vocabulary");
            }
            if (stopIds.contains(next)) {
                reason = StopReason.STOP_TOKEN;
                break;
            }
            history[length++] = next;
            generated++;
            if (!onToken.test(next)) {
                reason = StopReason.CALLER;
                break;
            }
            if (generated == maxNewTokens) {
                break;
            }
            if (cache.length() >= cache.maxTokens()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = model.forwardLast(cache, new int[] {next});
        }
        return new Result(promptIds.clone(), Arrays.copyOfRange(history, promptIds.length, length), reason, prefill,
                System.nanoTime() - decodeStart);
    }
}

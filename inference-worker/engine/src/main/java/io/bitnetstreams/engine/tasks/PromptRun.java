package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.model.BatchedForward.Segment;
import io.bitnetstreams.engine.model.BatchedForward.SharedKv;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prefill of one prompt in chunks. The first {@code boundary} tokens (the shareable part: system
 * turn, instruction, examples) come from the {@link PrefixCache} when cached; otherwise they are
 * computed into a cache of their own that is published once complete. The rest goes into the
 * sequence's own cache. Used only on the scheduler thread.
 */
final class PromptRun {

    private final int[] tokens;
    private final int boundary;
    private final PrefixCache prefixes;
    private final List<SharedKv> shared = new ArrayList<>();
    private final BitNetModel model;
    private final int ownCapacity;
    private KvCache own;
    private KvCache computingPrefix;
    private int[] claimed;
    private int processed;
    private float[] lastLogits;

    PromptRun(BitNetModel model, int[] tokens, int boundary, PrefixCache prefixes, int ownCapacity) {
        this.model = model;
        this.tokens = tokens;
        this.boundary = prefixes != null && boundary > 0 && boundary < tokens.length ? boundary : 0;
        this.prefixes = prefixes;
        this.ownCapacity = ownCapacity;
    }

    /**
     * Decides, on the scheduler thread at the first step, where the shareable part comes from: the
     * prefix cache, this run (claimed), or another running request computing it (wait: returns false).
     */
    private boolean ready() {
        if (own != null) {
            return true;
        }
        if (boundary > 0) {
            PrefixCache.Match match = prefixes.lookup(tokens, boundary, tokens.length - 1);
            if (match != null) {
                shared.add(new SharedKv(match.cache(), match.length()));
                processed = match.length();
            } else {
                int[] prefix = Arrays.copyOf(tokens, boundary);
                if (!prefixes.claim(prefix)) {
                    return false;
                }
                claimed = prefix;
                computingPrefix = model.newCache(boundary);
            }
        }
        own = model.newCache(Math.max(1, ownCapacity - processed));
        return true;
    }

    /** Releases a claim this run could not finish (its request ended early). */
    void abandon() {
        if (computingPrefix != null && claimed != null) {
            prefixes.abandon(claimed);
            computingPrefix = null;
        }
    }

    boolean finished() {
        return lastLogits != null;
    }

    int remaining() {
        return tokens.length - processed;
    }

    /** Tokens reused from the prefix cache. */
    int reused() {
        return shared.isEmpty() ? 0 : shared.getFirst().length();
    }

    /** The next chunk of at most {@code budget} tokens, or null while waiting for a shared prefix. */
    Segment next(int budget) {
        if (!ready()) {
            return null;
        }
        if (computingPrefix != null) {
            int n = Math.min(budget, boundary - processed);
            return new Segment(List.of(), computingPrefix, Arrays.copyOfRange(tokens, processed, processed + n),
                    new int[0]);
        }
        int n = Math.min(budget, tokens.length - processed);
        boolean last = processed + n == tokens.length;
        return new Segment(shared, own, Arrays.copyOfRange(tokens, processed, processed + n),
                last ? new int[] {n - 1} : new int[0]);
    }

    /** Records that {@code segment} ran and returned {@code logits}. */
    void completed(Segment segment, float[] logits) {
        processed += segment.tokens().length;
        if (computingPrefix != null && processed == boundary) {
            prefixes.publish(Arrays.copyOf(tokens, boundary), computingPrefix);
            shared.add(new SharedKv(computingPrefix, boundary));
            computingPrefix = null;
        }
        if (processed == tokens.length) {
            lastLogits = logits;
        }
    }

    /** Logits after the last prompt token. */
    float[] lastLogits() {
        return lastLogits;
    }

    /** Everything the prompt left in caches, for attention of later tokens. */
    List<SharedKv> shared() {
        return shared;
    }

    KvCache own() {
        return own;
    }

    /** The prompt as read-only context for forks (e.g. classification labels). */
    List<SharedKv> asContext() {
        List<SharedKv> all = new ArrayList<>(shared);
        all.add(new SharedKv(own, own.length()));
        return all;
    }

    int[] tokens() {
        return tokens;
    }
}

package io.bitnetstreams.engine.kernel;

/**
 * An approximate head whose best candidates are recomputed by the exact head: per token, the
 * {@link #CANDIDATES} largest approximate logits are replaced by the exact head's values for those
 * rows (the exact head's own bits, as {@link LmHead#logitsForRows} equals {@link LmHead#logits}).
 * The top token then equals the exact head's whenever the exact argmax is among the candidates, and
 * the most likely tokens (where sampling mostly draws) carry exact logits; the rest keep q8 values.
 * Costs one scan of the logits and {@link #CANDIDATES} exact rows per token. Every step depends on
 * the token alone (ties go to the lower row), so batching changes no bits here either.
 */
final class RescoredHead implements LmHead {

    /**
     * Candidates rescored per token. The q8 logit errors are small next to the spread of the top
     * logits, so the exact argmax is almost always within the first few q8 candidates; 16 covers the
     * rare near-ties at the cost of 16 F16 rows (80 KB at dim 2560) per token, under 1% of the head.
     */
    static final int CANDIDATES = 16;
    /** Tokens per full-vocabulary pass of {@link #logitsForRows}. */
    private static final int TOKENS_PER_PASS = 16;

    private final LmHead approximate;
    private final LmHead exact;
    private final int candidates;

    RescoredHead(LmHead approximate, LmHead exact) {
        this(approximate, exact, CANDIDATES);
    }

    /** Rescores {@code candidates} rows per token (more for coarser approximations). */
    RescoredHead(LmHead approximate, LmHead exact, int candidates) {
        if (candidates < 1) {
            throw new IllegalArgumentException("candidates must be positive: " + candidates);
        }
        if (approximate.vocab() != exact.vocab() || approximate.dim() != exact.dim()) {
            throw new IllegalArgumentException("heads differ in shape: " + approximate.vocab() + " x " + approximate.dim()
                    + " and " + exact.vocab() + " x " + exact.dim());
        }
        this.approximate = approximate;
        this.exact = exact;
        this.candidates = candidates;
    }

    @Override
    public int vocab() {
        return approximate.vocab();
    }

    @Override
    public int dim() {
        return approximate.dim();
    }

    @Override
    public void logits(float[] x, int tokens, float[] out, ComputePool pool) {
        approximate.logits(x, tokens, out, pool);
        int vocab = vocab();
        int dim = dim();
        int candidates = Math.min(this.candidates, vocab);
        pool.parallelFor(0, tokens, (from, to) -> {
            int[] ids = new int[candidates];
            float[] xt = new float[dim];
            float[] rescored = new float[candidates];
            for (int t = from; t < to; t++) {
                int base = t * vocab;
                topCandidates(out, base, vocab, ids);
                System.arraycopy(x, t * dim, xt, 0, dim);
                exact.logitsForRows(ids, xt, 1, rescored, pool); // runs on this thread inside the pool
                for (int i = 0; i < candidates; i++) {
                    out[base + ids[i]] = rescored[i];
                }
            }
        });
    }

    /**
     * The rows of the full {@link #logits}: which rows are rescored depends on the whole vocabulary,
     * so this costs as much as {@link #logits} (no caller in the engine needs it on a q8 head). Tokens
     * go {@link #TOKENS_PER_PASS} at a time, which changes no bits (a logit does not depend on the
     * batch it is computed in) and bounds the buffer.
     */
    @Override
    public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
        HeadChecks.rowIds(rowIds, vocab());
        HeadChecks.input(x, tokens, dim(), out, rowIds.length);
        int vocab = vocab();
        int dim = dim();
        float[] all = new float[Math.min(tokens, TOKENS_PER_PASS) * vocab];
        for (int first = 0; first < tokens; first += TOKENS_PER_PASS) {
            int count = Math.min(TOKENS_PER_PASS, tokens - first);
            logits(java.util.Arrays.copyOfRange(x, first * dim, (first + count) * dim), count, all, pool);
            for (int t = 0; t < count; t++) {
                for (int i = 0; i < rowIds.length; i++) {
                    out[(first + t) * rowIds.length + i] = all[t * vocab + rowIds[i]];
                }
            }
        }
    }

    /**
     * The indices of the {@code ids.length} (at most {@code n}) largest of {@code logits[base .. base + n)}
     * in descending order; ties go to the lower index and NaN ranks as negative infinity.
     */
    static void topCandidates(float[] logits, int base, int n, int[] ids) {
        int k = ids.length;
        float[] best = new float[k];
        int filled = 0;
        float threshold = Float.NEGATIVE_INFINITY; // the k-th best once k are held
        for (int v = 0; v < n; v++) {
            float value = logits[base + v];
            float key = Float.isNaN(value) ? Float.NEGATIVE_INFINITY : value;
            if (filled == k && !(key > threshold)) {
                continue;
            }
            int at = filled < k ? filled++ : k - 1;
            while (at > 0 && key > best[at - 1]) {
                best[at] = best[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            best[at] = key;
            ids[at] = v;
            threshold = best[k - 1];
        }
    }
}

package io.bitnetstreams.engine.kernel;

/**
 * A float output projection ("LM head"): {@code logits[t][v] = sum_d E[v][d] * x[t][d]} for a
 * {@code vocab() x dim()} matrix E (for BitNet b1.58 the tied token embedding). Built by
 * {@link HeadKernels}. Thread-safe: many callers may compute at once.
 */
public interface LmHead {

    /** Rows of E (output logits per token). */
    int vocab();

    /** Columns of E (hidden size). */
    int dim();

    /**
     * {@code out[t * vocab() + v] = E[v] . x[t]} for {@code tokens} rows of {@code x}
     * (row-major, {@code x[t * dim() + d]}); rows are split over {@code pool}.
     */
    void logits(float[] x, int tokens, float[] out, ComputePool pool);

    /**
     * Only the rows in {@code rowIds} (e.g. the label tokens of a classifier):
     * {@code out[t * rowIds.length + i] = E[rowIds[i]] . x[t]}. Same values as {@link #logits}.
     */
    void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool);
}

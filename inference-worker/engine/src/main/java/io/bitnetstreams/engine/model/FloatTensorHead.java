package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.LmHead;
import io.bitnetstreams.engine.tensor.FloatTensor;

/**
 * The exact LM head for float types the vector kernels do not read (F32, BF16, Q8_0 heads): each row
 * is widened once per call into a per-slice buffer and dotted with every requested token.
 */
final class FloatTensorHead implements LmHead {

    private final FloatTensor rows;
    private final int vocab;
    private final int dim;

    FloatTensorHead(FloatTensor rows, int vocab, int dim) {
        this.rows = rows;
        this.vocab = vocab;
        this.dim = dim;
    }

    @Override
    public int vocab() {
        return vocab;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public void logits(float[] x, int tokens, float[] out, ComputePool pool) {
        pool.parallelFor(0, vocab, (from, to) -> {
            float[] row = new float[dim];
            for (int v = from; v < to; v++) {
                rows.readRow(v, dim, row, 0);
                for (int t = 0; t < tokens; t++) {
                    out[t * vocab + v] = dot(row, x, t * dim, dim);
                }
            }
        });
    }

    @Override
    public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
        for (int id : rowIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("row " + id + " outside [0, " + vocab + ")");
            }
        }
        pool.parallelFor(0, rowIds.length, (from, to) -> {
            float[] row = new float[dim];
            for (int i = from; i < to; i++) {
                rows.readRow(rowIds[i], dim, row, 0);
                for (int t = 0; t < tokens; t++) {
                    out[t * rowIds.length + i] = dot(row, x, t * dim, dim);
                }
            }
        });
    }

    private static float dot(float[] a, float[] b, int bOffset, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[i] * b[bOffset + i];
            s1 += a[i + 1] * b[bOffset + i + 1];
            s2 += a[i + 2] * b[bOffset + i + 2];
            s3 += a[i + 3] * b[bOffset + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[bOffset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}

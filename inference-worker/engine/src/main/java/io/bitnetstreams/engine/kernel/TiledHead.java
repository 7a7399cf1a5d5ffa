package io.bitnetstreams.engine.kernel;

/**
 * The vector LM head for any {@link HeadRows} format: rows are split over the pool in guided pieces, and
 * each block of {@link HeadRows#ROW_TILE} rows is read once per call and multiplied with every
 * token in register tiles.
 */
final class TiledHead implements LmHead {

    /**
     * Smallest piece of rows a thread claims: rows are claimed in guided pieces (see
     * {@link ComputePool#parallelForGuided}), so the thread that finishes first waits for at most a
     * small piece; a row's logits do not depend on the piece it is computed in.
     */
    private static final int MIN_ROWS_PER_PIECE = 256;

    private final HeadRows rows;
    private final int vocab;
    private final int dim;

    TiledHead(HeadRows rows) {
        this.rows = rows;
        this.vocab = rows.vocab;
        this.dim = rows.dim;
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
        HeadChecks.input(x, tokens, dim, out, vocab);
        if (tokens == 0) {
            return;
        }
        float[] input = rows.prepareInput(x, tokens);
        pool.parallelForGuided(0, vocab, MIN_ROWS_PER_PIECE, (from, to) -> {
            float[] lanes = HeadRows.newLanes();
            int v = from;
            for (; v + HeadRows.ROW_TILE <= to; v += HeadRows.ROW_TILE) {
                rows.multiplyFour(v, v + 1, v + 2, v + 3, input, tokens, out, v, vocab, lanes);
            }
            for (; v < to; v++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * vocab + v] = rows.dot(v, input, t * dim);
                }
            }
        });
    }

    @Override
    public void logitsForRows(int[] rowIds, float[] x, int tokens, float[] out, ComputePool pool) {
        HeadChecks.rowIds(rowIds, vocab);
        HeadChecks.input(x, tokens, dim, out, rowIds.length);
        if (tokens == 0) {
            return;
        }
        float[] input = rows.prepareInput(x, tokens);
        int n = rowIds.length;
        pool.parallelFor(0, n, (from, to) -> {
            float[] lanes = HeadRows.newLanes();
            int i = from;
            for (; i + HeadRows.ROW_TILE <= to; i += HeadRows.ROW_TILE) {
                rows.multiplyFour(rowIds[i], rowIds[i + 1], rowIds[i + 2], rowIds[i + 3], input, tokens, out, i, n, lanes);
            }
            for (; i < to; i++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * n + i] = rows.dot(rowIds[i], input, t * dim);
                }
            }
        });
    }
}

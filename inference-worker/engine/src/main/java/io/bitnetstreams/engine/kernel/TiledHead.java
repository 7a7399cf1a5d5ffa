package io.bitnetstreams.engine.kernel;

/**
 * The vector LM head for any {@link HeadRows} format: each thread widens blocks of
 * {@link HeadTiles#ROW_TILE} rows into a small f32 buffer (read once per call, whatever the number of
 * tokens) and multiplies them with every token in {@link HeadTiles} tiles.
 */
final class TiledHead implements LmHead {

    /** Row ranges per thread, claimed dynamically (see {@link ComputePool#parallelForChunks}). */
    private static final int CHUNKS_PER_THREAD = 8;

    private final HeadRows rows;
    private final int vocab;
    private final int dim;
    private final ThreadLocal<Workspace> workspaces;

    /** One thread's buffers: the widened rows and the format's scratch. */
    private record Workspace(float[] widened, Object scratch) {
    }

    TiledHead(HeadRows rows) {
        this.rows = rows;
        this.vocab = rows.vocab;
        this.dim = rows.dim;
        this.workspaces = ThreadLocal.withInitial(
                () -> new Workspace(new float[HeadTiles.ROW_TILE * dim], rows.newScratch()));
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
        pool.parallelForChunks(0, vocab, CHUNKS_PER_THREAD * pool.threads(), (from, to) -> {
            Workspace workspace = workspaces.get();
            for (int v = from; v < to; v += HeadTiles.ROW_TILE) {
                int count = Math.min(HeadTiles.ROW_TILE, to - v);
                rows.widen(v, count, workspace.widened, 0, workspace.scratch);
                HeadTiles.multiply(workspace.widened, count, dim, x, tokens, out, v, vocab);
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
        pool.parallelFor(0, rowIds.length, (from, to) -> {
            Workspace workspace = workspaces.get();
            for (int i = from; i < to; i += HeadTiles.ROW_TILE) {
                int count = Math.min(HeadTiles.ROW_TILE, to - i);
                for (int r = 0; r < count; r++) {
                    rows.widen(rowIds[i + r], 1, workspace.widened, r * dim, workspace.scratch);
                }
                HeadTiles.multiply(workspace.widened, count, dim, x, tokens, out, i, rowIds.length);
            }
        });
    }
}

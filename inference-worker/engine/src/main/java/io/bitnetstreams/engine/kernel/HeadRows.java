package io.bitnetstreams.engine.kernel;

/**
 * The rows of an LM head matrix in one storage format, widened to f32 on demand for
 * {@link HeadTiles}. One small class per format; {@link TiledHead} drives them all the same way.
 */
abstract sealed class HeadRows permits F16HeadRows, Q8HeadRows {

    final int vocab;
    final int dim;

    HeadRows(int vocab, int dim) {
        this.vocab = vocab;
        this.dim = dim;
    }

    /** Per-thread buffers a format needs besides the f32 rows (null when none). */
    abstract Object newScratch();

    /**
     * Writes rows {@code first .. first + count - 1} (count at most {@link HeadTiles#ROW_TILE}) as f32
     * to {@code dst[dstOffset ..]}, row after row, {@code dim} values each.
     */
    abstract void widen(int first, int count, float[] dst, int dstOffset, Object scratch);
}

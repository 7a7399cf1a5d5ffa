package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.tensor.FloatTensor;
import java.util.Arrays;
import java.util.List;

/**
 * One forward step over the tokens of many sequences at once (continuous batching): every ternary
 * projection multiplies the concatenated tokens of all segments in ONE matmul per layer, so the
 * weights stream from memory once per step for the whole batch; attention runs per segment against
 * its own keys and values. Produces exactly the numbers {@link BitNetModel#forward} produces for each
 * sequence alone (quantization is per token and every reduction keeps the same order).
 *
 * <p>A segment may read earlier positions from read-only caches ({@code shared}: e.g. a cached
 * system prompt, then the classification prompt) and appends its own tokens to {@code own}; shared
 * caches are never written, so many sequences can attend to the same prefix without copying it.
 *
 * <p>It lives in the model package because it needs the package-private {@link KvCache} internals
 * and the model's weights ({@link BitNetModel}'s package-private accessors).
 */
public final class BatchedForward {

    /**
     * Tokens of one sequence for this step.
     *
     * @param shared    read-only caches holding positions {@code 0 ..} in order (may be empty)
     * @param own       the cache this segment appends to; its positions follow the shared ones
     * @param tokens    the new tokens
     * @param logitRows indices into {@code tokens} whose logits are wanted (full vocabulary each)
     */
    public record Segment(List<SharedKv> shared, KvCache own, int[] tokens, int[] logitRows) {
        public Segment {
            shared = List.copyOf(shared);
            if (tokens.length == 0) {
                throw new IllegalArgumentException("a segment needs at least one token");
            }
            for (int row : logitRows) {
                if (row < 0 || row >= tokens.length) {
                    throw new IllegalArgumentException("logit row " + row + " outside [0, " + tokens.length + ")");
                }
            }
        }

        int sharedLength() {
            int n = 0;
            for (SharedKv c : shared) {
                n += c.length();
            }
            return n;
        }
    }

    /** The first {@code length} positions of a cache another sequence filled; only read. */
    public record SharedKv(KvCache cache, int length) {
        public SharedKv {
            if (length < 0 || length > cache.length()) {
                throw new IllegalArgumentException("shared length " + length + " outside [0, " + cache.length() + "]");
            }
        }
    }

    private final BitNetModel model;
    private final BitNetConfig config;
    private final FloatTensor embedding;
    private final float[] outputNorm;
    private final List<BitNetModel.Layer> layers;
    private final ComputePool pool;
    private final LayerSteps steps;
    private final Attention.Shape attentionShape;

    public BatchedForward(BitNetModel model) {
        this.model = model;
        this.config = model.config();
        this.pool = model.pool();
        this.embedding = model.embedding();
        this.outputNorm = model.outputNorm();
        this.layers = model.layers();
        this.steps = new LayerSteps(config, pool);
        this.attentionShape = Attention.Shape.of(config);
    }

    public BitNetModel model() {
        return model;
    }

    /** Bytes one cached token takes (keys and values of every layer, F16: {@link KvCache#bytesPerToken}). */
    public long bytesPerToken() {
        return KvCache.bytesPerToken(config.layers(), config.kvDim());
    }

    /**
     * Runs one step; returns per segment its requested logit rows, row-major
     * {@code logitRows.length x vocab}. Each {@code own} cache grows by its segment's tokens.
     */
    public float[][] step(List<Segment> segments) {
        int vocab = config.vocabSize();
        int total = 0;
        for (Segment s : segments) {
            for (int i = 0; i < s.tokens().length; i++) {
                int id = s.tokens()[i];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " outside [0, " + vocab + ")");
                }
            }
            total += s.tokens().length;
        }
        for (Segment s : segments) {
            s.own().reserve(s.tokens().length);
        }
        int dim = config.dim();
        int[] segmentOf = new int[total];
        int[] position = new int[total];
        int[] startRow = new int[segments.size()];
        float[] x = new float[total * dim];
        int row = 0;
        for (int si = 0; si < segments.size(); si++) {
            Segment s = segments.get(si);
            startRow[si] = row;
            int pos = s.sharedLength() + s.own().length();
            for (int i = 0; i < s.tokens().length; i++, row++) {
                segmentOf[row] = si;
                position[row] = pos + i;
                embedding.readRow(s.tokens()[i], dim, x, row * dim);
            }
        }
        LayerSteps.Scratch scratch = new LayerSteps.Scratch(config, total);
        for (int l = 0; l < layers.size(); l++) {
            layer(l, layers.get(l), segments, startRow, segmentOf, position, total, x, scratch);
        }
        int wanted = 0;
        for (Segment s : segments) {
            s.own().advance(s.tokens().length);
            wanted += s.logitRows().length;
        }
        int[] rows = new int[wanted];
        int r = 0;
        for (int si = 0; si < segments.size(); si++) {
            for (int lr : segments.get(si).logitRows()) {
                rows[r++] = startRow[si] + lr;
            }
        }
        // one pass over the LM head for the rows of all segments
        float[] all = logits(x, rows);
        float[][] out = new float[segments.size()][];
        int offset = 0;
        for (int si = 0; si < segments.size(); si++) {
            int n = segments.get(si).logitRows().length * vocab;
            out[si] = Arrays.copyOfRange(all, offset, offset + n);
            offset += n;
        }
        return out;
    }

    private void layer(int index, BitNetModel.Layer w, List<Segment> segments, int[] startRow, int[] segmentOf,
                       int[] position, int t, float[] x, LayerSteps.Scratch s) {
        steps.queriesKeysValues(w, x, t, i -> position[i], s);
        Attention.Rows[] rows = new Attention.Rows[segments.size()];
        for (int si = 0; si < segments.size(); si++) {
            Segment seg = segments.get(si);
            int ownStart = seg.own().length();
            seg.own().store(index, ownStart, s.k, s.v, startRow[si], seg.tokens().length);
            rows[si] = new Attention.Rows(parts(seg, index), startRow[si], seg.tokens().length,
                    position[startRow[si]] + 1);
        }
        Attention.run(pool, attentionShape, rows, s.q, s.attn);
        steps.outputAndFeedForward(w, x, t, s);
    }

    /** The segment's shared caches, then its own (which already holds this step's tokens). */
    private static Attention.Parts parts(Segment seg, int layer) {
        int n = seg.shared().size() + 1;
        short[][] keys = new short[n][];
        short[][] values = new short[n][];
        int[] lengths = new int[n];
        for (int p = 0; p < seg.shared().size(); p++) {
            SharedKv shared = seg.shared().get(p);
            keys[p] = shared.cache().keys(layer);
            values[p] = shared.cache().values(layer);
            lengths[p] = shared.length();
        }
        keys[n - 1] = seg.own().keys(layer);
        values[n - 1] = seg.own().values(layer);
        lengths[n - 1] = Integer.MAX_VALUE; // bounded by the row's visible count
        return new Attention.Parts(keys, values, lengths);
    }

    private float[] logits(float[] hidden, int[] rows) {
        int dim = config.dim();
        int vocab = config.vocabSize();
        float[] dst = new float[rows.length * vocab];
        if (rows.length == 0) {
            return dst;
        }
        float[] normed = new float[rows.length * dim];
        for (int r = 0; r < rows.length; r++) {
            ModelMath.rmsNorm(hidden, rows[r] * dim, outputNorm, config.rmsEps(), normed, r * dim, dim);
        }
        model.lmHead().logits(normed, rows.length, dst, pool);
        return dst;
    }
}

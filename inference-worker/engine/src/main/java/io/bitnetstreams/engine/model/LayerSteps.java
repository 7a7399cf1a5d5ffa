package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import java.util.function.IntUnaryOperator;

/**
 * The parts of one BitNet block that do not depend on where the keys and values live: shared by the
 * single-sequence forward pass ({@link BitNetModel}) and the multi-sequence one ({@link BatchedForward}),
 * which differ only in how attention reads the caches. Rows are tokens; all buffers are row-major.
 */
final class LayerSteps {

    /** Per-batch buffers for {@code t} token rows. */
    static final class Scratch {
        final float[] normed;
        final float[] q;
        final float[] k;
        final float[] v;
        final float[] attn;
        final float[] proj;
        final float[] gate;
        final float[] up;
        final QuantizedActivations qDim;
        final QuantizedActivations qFfn;
        /** RoPE cos/sin of every row ({@code t x ropeDim/2}), computed by the first layer, used by all. */
        final float[] ropeCos;
        final float[] ropeSin;
        boolean anglesReady;

        Scratch(BitNetConfig c, int t) {
            ropeCos = new float[t * (c.ropeDim() / 2)];
            ropeSin = new float[t * (c.ropeDim() / 2)];
            normed = new float[t * c.dim()];
            q = new float[t * c.dim()];
            k = new float[t * c.kvDim()];
            v = new float[t * c.kvDim()];
            attn = new float[t * c.dim()];
            proj = new float[t * c.dim()];
            gate = new float[t * c.ffnDim()];
            up = new float[t * c.ffnDim()];
            qDim = new QuantizedActivations(t, c.dim());
            qFfn = new QuantizedActivations(t, c.ffnDim());
        }
    }

    /** Rows normed and quantized in one pass while they are in cache (rmsNormRows runs four side by side). */
    private static final int ROWS_PER_PASS = 4;

    private final BitNetConfig config;
    private final float ropeThetaScale;
    private final ComputePool pool;

    LayerSteps(BitNetConfig config, ComputePool pool) {
        this.config = config;
        this.ropeThetaScale = ModelMath.ropeThetaScale(config.ropeDim(), config.ropeTheta());
        this.pool = pool;
    }

    /**
     * RMSNorm, one shared int8 quantization, the Q, K and V projections and NEOX RoPE; afterwards
     * {@code s.q}, {@code s.k} and {@code s.v} hold the rows, row {@code i} at {@code positionOf(i)}.
     * Keys and values come out in F32; {@link KvCache#store} rounds them to F16 as the reference
     * runtime's F16 cache does, and attention reads only the cache.
     */
    void queriesKeysValues(BitNetModel.Layer w, float[] x, int t, IntUnaryOperator positionOf, Scratch s) {
        normalizeAndQuantize(x, w.attnNorm(), s.normed, s.qDim, t);
        TernaryMatmul.multiplyAll(s.qDim, new TernaryMatmul[] {w.wq(), w.wk(), w.wv()}, new float[][] {s.q, s.k, s.v},
                pool);
        boolean anglesReady = s.anglesReady;
        // rows are independent: a prompt's rows split over the pool (one row runs inline)
        pool.parallelFor(0, t, (from, to) -> rope(s, from, to, anglesReady, positionOf));
        s.anglesReady = true;
    }

    /** NEOX RoPE of the query and key rows {@code from .. to}, the first layer computing (and keeping) their angles. */
    private void rope(Scratch s, int from, int to, boolean anglesReady, IntUnaryOperator positionOf) {
        int dim = config.dim();
        int headDim = config.headDim();
        int half = config.ropeDim() / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int i = from; i < to; i++) {
            if (!anglesReady) {
                ModelMath.ropeAngles(positionOf.applyAsInt(i), ropeThetaScale, cos, sin);
                System.arraycopy(cos, 0, s.ropeCos, i * half, half);
                System.arraycopy(sin, 0, s.ropeSin, i * half, half);
            } else {
                System.arraycopy(s.ropeCos, i * half, cos, 0, half);
                System.arraycopy(s.ropeSin, i * half, sin, 0, half);
            }
            for (int h = 0; h < config.heads(); h++) {
                ModelMath.ropeNeox(s.q, i * dim + h * headDim, cos, sin);
            }
            for (int h = 0; h < config.kvHeads(); h++) {
                ModelMath.ropeNeox(s.k, i * config.kvDim() + h * headDim, cos, sin);
            }
        }
    }

    /**
     * Everything after attention (whose output is in {@code s.attn}): the attention sub-norm before the
     * output projection, the residual, then the gated FFN with its sub-norm over the FFN dimension and
     * the second residual, all added into {@code x}.
     */
    void outputAndFeedForward(BitNetModel.Layer w, float[] x, int t, Scratch s) {
        int dim = config.dim();
        int ffn = config.ffnDim();
        normalizeAndQuantize(s.attn, w.attnSubNorm(), s.normed, s.qDim, t);
        w.wo().multiply(s.qDim, s.proj, pool);
        // the residual, the norm and the quantization of each few rows while they are in cache
        float eps = config.rmsEps();
        float[] ffnNorm = w.ffnNorm();
        s.qDim.begin(t);
        pool.parallelFor(0, t, (from, to) -> {
            for (int i = from; i < to; i += ROWS_PER_PASS) {
                int end = Math.min(to, i + ROWS_PER_PASS);
                addInPlace(x, s.proj, i * dim, end * dim);
                ModelMath.rmsNormRows(x, ffnNorm, eps, s.normed, dim, i, end);
                s.qDim.quantizeRange(s.normed, 0, i, end);
            }
        });
        TernaryMatmul.multiplyAll(s.qDim, new TernaryMatmul[] {w.gate(), w.up()}, new float[][] {s.gate, s.up}, pool);
        Activation act = config.activation();
        float[] ffnSubNorm = w.ffnSubNorm();
        // likewise the gated activation, the sub-norm and the quantization (rows of ffn floats: 27 KB at 2B4T)
        s.qFfn.begin(t);
        pool.parallelFor(0, t, (from, to) -> {
            for (int i = from; i < to; i += ROWS_PER_PASS) {
                int end = Math.min(to, i + ROWS_PER_PASS);
                for (int k = i * ffn; k < end * ffn; k++) {
                    s.gate[k] = act.apply(s.gate[k]) * s.up[k];
                }
                ModelMath.rmsNormRows(s.gate, ffnSubNorm, eps, s.up, ffn, i, end);
                s.qFfn.quantizeRange(s.up, 0, i, end);
            }
        });
        w.down().multiply(s.qFfn, s.proj, pool);
        pool.parallelFor(0, t, (from, to) -> addInPlace(x, s.proj, from * dim, to * dim));
    }

    /**
     * RMSNorm of {@code t} rows of {@code src} (row length {@code q.cols()}) into {@code dst} and their int8
     * quantization, a few rows at a time while they are in cache, split over the pool by rows (each row's
     * arithmetic is unchanged).
     */
    private void normalizeAndQuantize(float[] src, float[] weight, float[] dst, QuantizedActivations q, int t) {
        int n = q.cols();
        float eps = config.rmsEps();
        q.begin(t);
        pool.parallelFor(0, t, (from, to) -> {
            for (int i = from; i < to; i += ROWS_PER_PASS) {
                int end = Math.min(to, i + ROWS_PER_PASS);
                ModelMath.rmsNormRows(src, weight, eps, dst, n, i, end);
                q.quantizeRange(dst, 0, i, end);
            }
        });
    }

    private static void addInPlace(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] += y[i];
        }
    }
}

package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
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

        Scratch(BitNetConfig c, int t) {
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

    private final BitNetConfig config;
    private final double[] ropeFreqs;
    private final ComputePool pool;

    LayerSteps(BitNetConfig config, double[] ropeFreqs, ComputePool pool) {
        this.config = config;
        this.ropeFreqs = ropeFreqs;
        this.pool = pool;
    }

    /**
     * RMSNorm, one shared int8 quantization, the Q, K and V projections and NEOX RoPE; afterwards
     * {@code s.q}, {@code s.k} and {@code s.v} hold the rows, row {@code i} at {@code positionOf(i)}.
     */
    void queriesKeysValues(BitNetModel.Layer w, float[] x, int t, IntUnaryOperator positionOf, Scratch s) {
        int dim = config.dim();
        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(x, i * dim, w.attnNorm(), config.rmsEps(), s.normed, i * dim, dim);
        }
        s.qDim.quantize(s.normed, 0, t);
        w.wq().multiply(s.qDim, s.q, pool);
        w.wk().multiply(s.qDim, s.k, pool);
        w.wv().multiply(s.qDim, s.v, pool);
        int headDim = config.headDim();
        float[] cos = new float[ropeFreqs.length];
        float[] sin = new float[ropeFreqs.length];
        for (int i = 0; i < t; i++) {
            ModelMath.ropeAngles(positionOf.applyAsInt(i), ropeFreqs, cos, sin);
            for (int h = 0; h < config.heads(); h++) {
                ModelMath.ropeNeox(s.q, i * dim + h * headDim, ropeFreqs, cos, sin);
            }
            for (int h = 0; h < config.kvHeads(); h++) {
                ModelMath.ropeNeox(s.k, i * config.kvDim() + h * headDim, ropeFreqs, cos, sin);
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
        float eps = config.rmsEps();
        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(s.attn, i * dim, w.attnSubNorm(), eps, s.normed, i * dim, dim);
        }
        s.qDim.quantize(s.normed, 0, t);
        w.wo().multiply(s.qDim, s.proj, pool);
        addInPlace(x, s.proj, t * dim);

        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(x, i * dim, w.ffnNorm(), eps, s.normed, i * dim, dim);
        }
        s.qDim.quantize(s.normed, 0, t);
        w.gate().multiply(s.qDim, s.gate, pool);
        w.up().multiply(s.qDim, s.up, pool);
        Activation act = config.activation();
        for (int i = 0; i < t * ffn; i++) {
            s.gate[i] = act.apply(s.gate[i]) * s.up[i];
        }
        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(s.gate, i * ffn, w.ffnSubNorm(), eps, s.up, i * ffn, ffn);
        }
        s.qFfn.quantize(s.up, 0, t);
        w.down().multiply(s.qFfn, s.proj, pool);
        addInPlace(x, s.proj, t * dim);
    }

    private static void addInPlace(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }
}

package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BitNet b1.58 (W1.58 A8) on a memory-mapped GGUF file. Ternary weights and the embedding stay
 * views on the mapping (the kernel provider decides whether to repack); only the small norm vectors
 * are copied to the heap.
 *
 * <p>One layer, per token, exactly as the reference runtimes do:
 * <pre>
 * a = RMSNorm(x; attn_norm); q,k,v = BitLinear(a); RoPE NEOX(q, k)
 * o = softmax(q k^T / sqrt(head_dim) + causal mask) v          (grouped-query)
 * x = x + BitLinear_o(RMSNorm(o; attn_sub_norm))
 * f = RMSNorm(x; ffn_norm)
 * x = x + BitLinear_down(RMSNorm(act(BitLinear_gate(f)) * BitLinear_up(f); ffn_sub_norm))
 * </pre>
 * then RMSNorm(output_norm) and logits against the tied embedding (or {@code output.weight}).
 * A BitLinear quantizes its input per token to int8 ({@link QuantizedActivations}).
 *
 * <p>Thread-safe for concurrent sequences: all state lives in the {@link KvCache} passed in.
 */
public final class BitNetModel {

    private static final Logger LOG = LoggerFactory.getLogger(BitNetModel.class);

    /** Prompt tokens processed per batch; longer prompts run in several batches to bound scratch memory. */
    public static final int MAX_BATCH = 512;

    private final BitNetConfig config;
    private final FloatTensor embedding;
    private final FloatTensor output;
    private final float[] outputNorm;
    private final List<Layer> layers;
    private final ComputePool pool;
    private final double[] ropeFreqs;
    private final String kernelName;
    private final int maxBatch;

    /** One transformer block. */
    record Layer(float[] attnNorm, TernaryMatmul wq, TernaryMatmul wk, TernaryMatmul wv, float[] attnSubNorm,
                 TernaryMatmul wo, float[] ffnNorm, TernaryMatmul gate, TernaryMatmul up, float[] ffnSubNorm,
                 TernaryMatmul down) {
    }

    private BitNetModel(BitNetConfig config, FloatTensor embedding, FloatTensor output, float[] outputNorm,
                        List<Layer> layers, ComputePool pool, String kernelName, int maxBatch) {
        this.config = config;
        this.embedding = embedding;
        this.output = output;
        this.outputNorm = outputNorm;
        this.layers = List.copyOf(layers);
        this.pool = pool;
        this.ropeFreqs = ModelMath.ropeFrequencies(config.ropeDim(), config.ropeTheta());
        this.kernelName = kernelName;
        this.maxBatch = maxBatch;
    }

    /** The same model running prompts in batches of at most {@code tokens} (tests use small batches). */
    BitNetModel withMaxBatch(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("batch must hold at least one token: " + tokens);
        }
        return new BitNetModel(config, embedding, output, outputNorm, layers, pool, kernelName, tokens);
    }

    /**
     * Reads the config, checks every tensor's presence, type role and shape, and prepares the
     * ternary matrices with {@code kernels}. The file must stay open while the model is used.
     */
    public static BitNetModel load(GgufFile file, KernelProvider kernels, ComputePool pool) {
        long start = System.nanoTime();
        BitNetConfig config = BitNetConfig.fromMetadata(file.metadata());
        int dim = config.dim();
        int kvDim = config.kvDim();
        int ffn = config.ffnDim();
        FloatTensor embedding = floating(file, TensorChecks.require(file, "token_embd.weight", TensorChecks.EMBEDDING,
                "token embedding", dim, config.vocabSize()));
        FloatTensor output = null;
        Optional<GgufTensorInfo> outputInfo = file.findTensor("output.weight");
        if (outputInfo.isPresent()) {
            output = floating(file, TensorChecks.require(file, "output.weight", TensorChecks.EMBEDDING,
                    "output projection", dim, config.vocabSize()));
        }
        float[] outputNorm = norm(file, "output_norm.weight", dim);
        List<Layer> layers = new ArrayList<>(config.layers());
        for (int l = 0; l < config.layers(); l++) {
            String p = "blk." + l + ".";
            layers.add(new Layer(
                    norm(file, p + "attn_norm.weight", dim),
                    ternary(file, kernels, p + "attn_q.weight", dim, dim),
                    ternary(file, kernels, p + "attn_k.weight", dim, kvDim),
                    ternary(file, kernels, p + "attn_v.weight", dim, kvDim),
                    norm(file, p + "attn_sub_norm.weight", dim),
                    ternary(file, kernels, p + "attn_output.weight", dim, dim),
                    norm(file, p + "ffn_norm.weight", dim),
                    ternary(file, kernels, p + "ffn_gate.weight", dim, ffn),
                    ternary(file, kernels, p + "ffn_up.weight", dim, ffn),
                    norm(file, p + "ffn_sub_norm.weight", ffn),
                    ternary(file, kernels, p + "ffn_down.weight", ffn, dim)));
        }
        BitNetModel model = new BitNetModel(config, embedding, output, outputNorm, layers, pool, kernels.name(),
                MAX_BATCH);
        LOG.info("loaded {} model: {} layers, dim {}, ffn {}, heads {}/{}, vocab {}, kernels {}, threads {} in {} ms",
                config.architecture(), config.layers(), dim, ffn, config.heads(), config.kvHeads(),
                config.vocabSize(), kernels.name(), pool.threads(), (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    private static FloatTensor floating(GgufFile file, GgufTensorInfo info) {
        return Tensors.floating(info, file.tensorData(info));
    }

    private static float[] norm(GgufFile file, String name, int n) {
        GgufTensorInfo info = TensorChecks.require(file, name, TensorChecks.NORM, "norm weight", n);
        float[] values = new float[n];
        floating(file, info).readRow(0, n, values, 0);
        return values;
    }

    private static TernaryMatmul ternary(GgufFile file, KernelProvider kernels, String name, int cols, int rows) {
        GgufTensorInfo info = TensorChecks.require(file, name, TensorChecks.TERNARY, "ternary projection", cols, rows);
        TernaryMatmul matmul = kernels.prepare(Tensors.ternary(info, file.tensorData(info)));
        if (matmul.rows() != rows || matmul.cols() != cols) {
            throw new ModelFormatException("tensor " + name + " prepared as " + matmul.rows() + " x " + matmul.cols()
                    + " instead of " + rows + " x " + cols);
        }
        return matmul;
    }

    public BitNetConfig config() {
        return config;
    }

    public String kernelName() {
        return kernelName;
    }

    public ComputePool pool() {
        return pool;
    }

    /** A fresh KV cache for a sequence of at most {@code maxTokens} tokens (storage grows lazily). */
    public KvCache newCache(int maxTokens) {
        return new KvCache(config.layers(), config.kvDim(), maxTokens);
    }

    /** Appends {@code tokens} to the sequence in {@code cache} and returns the logits of the last one. */
    public float[] forwardLast(KvCache cache, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        return forward(cache, tokens, tokens.length - 1);
    }

    /** Appends {@code tokens} and returns the logits of every one: row-major {@code tokens.length x vocab}. */
    public float[] forwardAll(KvCache cache, int[] tokens) {
        return forward(cache, tokens, 0);
    }

    /**
     * Appends {@code tokens} to the sequence in {@code cache} (positions continue from
     * {@code cache.length()}) and returns the logits of tokens {@code firstLogitRow ..} as a
     * row-major {@code (tokens.length - firstLogitRow) x vocab} array. The prompt runs in batches of
     * up to {@link #MAX_BATCH} tokens: every projection multiplies all tokens of a batch at once.
     */
    public float[] forward(KvCache cache, int[] tokens, int firstLogitRow) {
        if (firstLogitRow < 0 || firstLogitRow > tokens.length) {
            throw new IllegalArgumentException("firstLogitRow " + firstLogitRow + " outside [0, " + tokens.length + "]");
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i + " outside [0, " + vocab + ")");
            }
        }
        if (!cache.fits(config.layers(), config.kvDim())) {
            throw new IllegalArgumentException("the KV cache was made for another model shape");
        }
        long logitCount = (long) (tokens.length - firstLogitRow) * vocab;
        if (logitCount > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException((tokens.length - firstLogitRow) + " rows of " + vocab
                    + " logits do not fit one array; ask for fewer rows");
        }
        cache.reserve(tokens.length);
        float[] logits = new float[(int) logitCount];
        for (int from = 0; from < tokens.length; from += maxBatch) {
            int to = Math.min(tokens.length, from + maxBatch);
            float[] hidden = runBatch(cache, tokens, from, to);
            int firstRow = Math.max(from, firstLogitRow);
            if (firstRow < to) {
                logits(hidden, firstRow - from, to - firstRow, logits, (firstRow - firstLogitRow) * vocab);
            }
        }
        return logits;
    }

    /** Runs tokens [from, to) through every layer; returns their final hidden states (not yet normed). */
    private float[] runBatch(KvCache cache, int[] tokens, int from, int to) {
        int t = to - from;
        int dim = config.dim();
        float[] x = new float[t * dim];
        for (int i = 0; i < t; i++) {
            embedding.readRow(tokens[from + i], dim, x, i * dim);
        }
        Scratch s = new Scratch(config, t);
        int startPos = cache.length();
        for (int l = 0; l < layers.size(); l++) {
            layer(l, layers.get(l), cache, startPos, t, x, s);
        }
        cache.advance(t);
        return x;
    }

    /** Per-batch buffers. */
    private static final class Scratch {
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

    private void layer(int index, Layer w, KvCache cache, int startPos, int t, float[] x, Scratch s) {
        int dim = config.dim();
        int kvDim = config.kvDim();
        int ffn = config.ffnDim();
        float eps = config.rmsEps();

        // Attention: one quantized input shared by Q, K and V.
        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(x, i * dim, w.attnNorm(), eps, s.normed, i * dim, dim);
        }
        s.qDim.quantize(s.normed, 0, t);
        w.wq().multiply(s.qDim, s.q, pool);
        w.wk().multiply(s.qDim, s.k, pool);
        w.wv().multiply(s.qDim, s.v, pool);
        applyRope(s, startPos, t);
        float[] keys = cache.keys(index);
        float[] values = cache.values(index);
        System.arraycopy(s.k, 0, keys, startPos * kvDim, t * kvDim);
        System.arraycopy(s.v, 0, values, startPos * kvDim, t * kvDim);
        attention(keys, values, startPos, t, s.q, s.attn);
        for (int i = 0; i < t; i++) {
            ModelMath.rmsNorm(s.attn, i * dim, w.attnSubNorm(), eps, s.normed, i * dim, dim);
        }
        s.qDim.quantize(s.normed, 0, t);
        w.wo().multiply(s.qDim, s.proj, pool);
        addInPlace(x, s.proj, t * dim);

        // Gated FFN with the sub-norm over the FFN dimension.
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

    private void applyRope(Scratch s, int startPos, int t) {
        int headDim = config.headDim();
        int half = ropeFreqs.length;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int i = 0; i < t; i++) {
            ModelMath.ropeAngles(startPos + i, ropeFreqs, cos, sin);
            for (int h = 0; h < config.heads(); h++) {
                ModelMath.ropeNeox(s.q, i * config.dim() + h * headDim, ropeFreqs, cos, sin);
            }
            for (int h = 0; h < config.kvHeads(); h++) {
                ModelMath.ropeNeox(s.k, i * config.kvDim() + h * headDim, ropeFreqs, cos, sin);
            }
        }
    }

    /** Causal grouped-query attention of the batch's queries over the cache (which already holds the batch). */
    private void attention(float[] keys, float[] values, int startPos, int t, float[] q, float[] out) {
        int heads = config.heads();
        int headDim = config.headDim();
        int dim = config.dim();
        int kvDim = config.kvDim();
        int group = config.groupSize();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        pool.parallelFor(0, t * heads, (from, to) -> {
            float[] scores = new float[startPos + t];
            for (int task = from; task < to; task++) {
                int i = task / heads;
                int h = task % heads;
                int qOff = i * dim + h * headDim;
                int kvOff = (h / group) * headDim;
                int visible = startPos + i + 1;
                for (int j = 0; j < visible; j++) {
                    int kOff = j * kvDim + kvOff;
                    float dot = 0f;
                    for (int d = 0; d < headDim; d++) {
                        dot += q[qOff + d] * keys[kOff + d];
                    }
                    scores[j] = dot * scale;
                }
                ModelMath.softmax(scores, visible);
                java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
                for (int j = 0; j < visible; j++) {
                    float p = scores[j];
                    int vOff = j * kvDim + kvOff;
                    for (int d = 0; d < headDim; d++) {
                        out[qOff + d] += p * values[vOff + d];
                    }
                }
            }
        });
    }

    /** Final norm of {@code rows} hidden states from {@code firstRow}, then logits into {@code dst}. */
    private void logits(float[] hidden, int firstRow, int rows, float[] dst, int dstOffset) {
        int dim = config.dim();
        int vocab = config.vocabSize();
        float[] normed = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            ModelMath.rmsNorm(hidden, (firstRow + r) * dim, outputNorm, config.rmsEps(), normed, r * dim, dim);
        }
        FloatTensor head = output != null ? output : embedding;
        // Each head row is widened once into a per-slice buffer and dotted with every requested
        // position: one decode per row for a whole batch, and no Vector API temporaries (which the
        // F16 vector dot allocates by the hundreds of MB until C2 has compiled it, inflating the heap).
        pool.parallelFor(0, vocab, (from, to) -> {
            float[] row = new float[dim];
            for (int v = from; v < to; v++) {
                head.readRow(v, dim, row, 0);
                for (int r = 0; r < rows; r++) {
                    dst[dstOffset + r * vocab + v] = dot(row, normed, r * dim, dim);
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

    private static void addInPlace(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }
}

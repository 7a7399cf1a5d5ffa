package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.kernel.HeadKernels;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.KernelWarmup;
import io.bitnetstreams.engine.kernel.LmHead;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import io.bitnetstreams.engine.kernel.VectorKernels;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;
import java.lang.foreign.MemorySegment;
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
    /** Rows of the model's own F16 head the kernel warm-up multiplies (a few KB of the mapping). */
    private static final int WARM_UP_HEAD_ROWS = 16;

    private final BitNetConfig config;
    private final FloatTensor embedding;
    private final FloatTensor output;
    private final float[] outputNorm;
    private final List<Layer> layers;
    private final ComputePool pool;
    private final LayerSteps steps;
    private final Attention.Shape attentionShape;
    private final String kernelName;
    private final int maxBatch;
    private final LmHead head;
    private final LmHeadKind headKind;

    /** One transformer block. */
    record Layer(float[] attnNorm, TernaryMatmul wq, TernaryMatmul wk, TernaryMatmul wv, float[] attnSubNorm,
                 TernaryMatmul wo, float[] ffnNorm, TernaryMatmul gate, TernaryMatmul up, float[] ffnSubNorm,
                 TernaryMatmul down) {
    }

    private BitNetModel(BitNetConfig config, FloatTensor embedding, FloatTensor output, float[] outputNorm,
                        List<Layer> layers, ComputePool pool, String kernelName, int maxBatch, LmHead head,
                        LmHeadKind headKind) {
        this.config = config;
        this.embedding = embedding;
        this.output = output;
        this.outputNorm = outputNorm;
        this.layers = List.copyOf(layers);
        this.pool = pool;
        this.steps = new LayerSteps(config, pool);
        this.attentionShape = Attention.Shape.of(config);
        this.kernelName = kernelName;
        this.maxBatch = maxBatch;
        this.head = head;
        this.headKind = headKind;
    }

    /** The same model running prompts in batches of at most {@code tokens} (tests use small batches). */
    BitNetModel withMaxBatch(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("batch must hold at least one token: " + tokens);
        }
        return new BitNetModel(config, embedding, output, outputNorm, layers, pool, kernelName, tokens, head, headKind);
    }

    /** The same model with another LM head of the same shape (tools comparing heads on one forward pass). */
    BitNetModel withHead(LmHead otherHead, LmHeadKind kind) {
        if (otherHead.vocab() != config.vocabSize() || otherHead.dim() != config.dim()) {
            throw new IllegalArgumentException("head is " + otherHead.vocab() + " x " + otherHead.dim() + ", the model needs "
                    + config.vocabSize() + " x " + config.dim());
        }
        return new BitNetModel(config, embedding, output, outputNorm, layers, pool, kernelName, maxBatch, otherHead, kind);
    }

    /**
     * The same weights and head computing on {@code otherPool} (e.g. a benchmark comparing thread
     * counts without loading twice). The caller keeps owning both pools.
     */
    public BitNetModel withPool(ComputePool otherPool) {
        return new BitNetModel(config, embedding, output, outputNorm, layers, otherPool, kernelName, maxBatch, head,
                headKind);
    }

    /**
     * Reads the config, checks every tensor's presence, type role and shape, and prepares the
     * ternary matrices with {@code kernels}. The file must stay open while the model is used.
     */
    public static BitNetModel load(GgufFile file, KernelProvider kernels, ComputePool pool) {
        return load(file, kernels, pool, LoadOptions.defaults());
    }

    /**
     * Like {@link #load(GgufFile, KernelProvider, ComputePool)}, with the LM head of {@code options}.
     * With {@link VectorKernels} the ternary matrices are repacked in parallel from plain file reads
     * (their mapped pages are never touched) and, given a cache directory, stored there for the next
     * load of the same file (see {@link RepackCache}).
     */
    public static BitNetModel load(GgufFile file, KernelProvider kernels, ComputePool pool, LoadOptions options) {
        long start = System.nanoTime();
        Thread warmUp = startWarmUp(file, kernels, options);
        try {
            return load(file, kernels, pool, options, start);
        } finally {
            joinWarmUp(warmUp);
        }
    }

    private static Thread startWarmUp(GgufFile file, KernelProvider kernels, LoadOptions options) {
        long millis = options.kernelWarmUp().toMillis();
        if (!(kernels instanceof VectorKernels) || millis <= 0) {
            return null;
        }
        return Thread.ofPlatform().daemon().name("bitnet-kernel-warmup").start(() -> {
            try {
                KernelWarmup.Head q8 = switch (options.head()) {
                    case F16 -> KernelWarmup.Head.F16;
                    case Q8_0 -> KernelWarmup.Head.Q8;
                    case Q4_0 -> KernelWarmup.Head.Q4;
                    case Q2 -> KernelWarmup.Head.Q2;
                };
                Optional<GgufTensorInfo> sample = headSample(file);
                if (sample.isPresent()) {
                    GgufTensorInfo info = sample.get();
                    int rows = Math.min(WARM_UP_HEAD_ROWS, info.rows());
                    MemorySegment headRows = file.tensorData(info).asSlice(0, 2L * rows * info.cols());
                    KernelWarmup.run(kernels, q8, headRows, rows, info.cols(), millis);
                } else {
                    KernelWarmup.run(kernels, q8, millis);
                }
            } catch (RuntimeException e) {
                LOG.warn("kernel warm-up failed: {}", e.toString());
            }
        });
    }

    /** The F16 head tensor when there is one of a plausible shape (checked for real later by the load). */
    private static Optional<GgufTensorInfo> headSample(GgufFile file) {
        return file.findTensor("output.weight").or(() -> file.findTensor("token_embd.weight"))
                .filter(info -> info.type() == GgmlType.F16 && info.dimCount() == 2 && info.cols() > 0
                        && info.rows() > 0 && info.byteSize() >= 2L * Math.min(WARM_UP_HEAD_ROWS, info.rows()) * info.cols());
    }

    private static void joinWarmUp(Thread warmUp) {
        if (warmUp == null) {
            return;
        }
        try {
            warmUp.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static BitNetModel load(GgufFile file, KernelProvider kernels, ComputePool pool, LoadOptions options,
                                    long start) {
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
        List<GgufTensorInfo> ternaryInfos = new ArrayList<>(7 * config.layers());
        for (int l = 0; l < config.layers(); l++) {
            String p = "blk." + l + ".";
            ternaryInfos.add(ternaryInfo(file, p + "attn_q.weight", dim, dim));
            ternaryInfos.add(ternaryInfo(file, p + "attn_k.weight", dim, kvDim));
            ternaryInfos.add(ternaryInfo(file, p + "attn_v.weight", dim, kvDim));
            ternaryInfos.add(ternaryInfo(file, p + "attn_output.weight", dim, dim));
            ternaryInfos.add(ternaryInfo(file, p + "ffn_gate.weight", dim, ffn));
            ternaryInfos.add(ternaryInfo(file, p + "ffn_up.weight", dim, ffn));
            ternaryInfos.add(ternaryInfo(file, p + "ffn_down.weight", ffn, dim));
        }
        TernaryMatmul[] m = prepareAll(file, kernels, pool, options, ternaryInfos);
        List<Layer> layers = new ArrayList<>(config.layers());
        for (int l = 0; l < config.layers(); l++) {
            String p = "blk." + l + ".";
            int i = 7 * l;
            layers.add(new Layer(
                    norm(file, p + "attn_norm.weight", dim), m[i], m[i + 1], m[i + 2],
                    norm(file, p + "attn_sub_norm.weight", dim), m[i + 3],
                    norm(file, p + "ffn_norm.weight", dim), m[i + 4], m[i + 5],
                    norm(file, p + "ffn_sub_norm.weight", ffn), m[i + 6]));
        }
        GgufTensorInfo headInfo = outputInfo.orElseGet(() -> file.tensor("token_embd.weight"));
        LmHead head = head(file, headInfo, output != null ? output : embedding, config, pool, options);
        BitNetModel model = new BitNetModel(config, embedding, output, outputNorm, layers, pool, kernels.name(),
                MAX_BATCH, head, options.head());
        LOG.info("loaded {} model: {} layers, dim {}, ffn {}, heads {}/{}, vocab {}, kernels {}, head {}, threads {} in {} ms",
                config.architecture(), config.layers(), dim, ffn, config.heads(), config.kvHeads(),
                config.vocabSize(), kernels.name(), options.head().label(), pool.threads(),
                (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    private static GgufTensorInfo ternaryInfo(GgufFile file, String name, int cols, int rows) {
        return TensorChecks.require(file, name, TensorChecks.TERNARY, "ternary projection", cols, rows);
    }

    private static TernaryMatmul[] prepareAll(GgufFile file, KernelProvider kernels, ComputePool pool,
                                              LoadOptions options, List<GgufTensorInfo> infos) {
        TernaryMatmul[] prepared;
        if (kernels instanceof VectorKernels vector) {
            prepared = RepackCache.ternary(file, vector, infos, pool, options.repackCache());
        } else {
            prepared = new TernaryMatmul[infos.size()];
            for (int i = 0; i < infos.size(); i++) {
                prepared[i] = kernels.prepare(Tensors.ternary(infos.get(i), file.tensorData(infos.get(i))));
            }
        }
        for (int i = 0; i < infos.size(); i++) {
            GgufTensorInfo info = infos.get(i);
            if (prepared[i].rows() != info.rows() || prepared[i].cols() != info.cols()) {
                throw new ModelFormatException("tensor " + info.name() + " prepared as " + prepared[i].rows() + " x "
                        + prepared[i].cols() + " instead of " + info.rows() + " x " + info.cols());
            }
        }
        return prepared;
    }

    /**
     * The exact head reads F16 rows in place with the vector kernel (other float types through their
     * tensor view); the q8 and q4 heads are copies built at load time or read from the cache, whose best
     * candidates per token are recomputed by the exact head (same top token as the exact head).
     */
    private static LmHead head(GgufFile file, GgufTensorInfo info, FloatTensor tensor, BitNetConfig config,
                               ComputePool pool, LoadOptions options) {
        int vocab = config.vocabSize();
        int dim = config.dim();
        LmHead exact = info.type() == GgmlType.F16
                ? HeadKernels.f16(file.tensorData(info), vocab, dim)
                : new FloatTensorHead(tensor, vocab, dim);
        return switch (options.head()) {
            case F16 -> exact;
            case Q8_0 -> {
                if (dim % HeadKernels.Q8_BLOCK != 0) {
                    throw new ModelFormatException("the q8_0 head needs a hidden size divisible by "
                            + HeadKernels.Q8_BLOCK + ": " + dim);
                }
                yield HeadKernels.q8(RepackCache.q8Head(file, info, vocab, dim, pool, options.repackCache()), exact);
            }
            case Q4_0 -> {
                if (dim % HeadKernels.Q4_BLOCK != 0) {
                    throw new ModelFormatException("the q4_0 head needs a hidden size divisible by "
                            + HeadKernels.Q4_BLOCK + ": " + dim);
                }
                yield HeadKernels.q4(RepackCache.q4Head(file, info, vocab, dim, pool, options.repackCache()), exact);
            }
            case Q2 -> {
                if (dim % HeadKernels.Q2Rows.BLOCK != 0) {
                    throw new ModelFormatException("the q2 head needs a hidden size divisible by "
                            + HeadKernels.Q2Rows.BLOCK + ": " + dim);
                }
                yield HeadKernels.q2(RepackCache.q2Head(file, info, vocab, dim, pool, options.repackCache()), exact);
            }
        };
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

    public BitNetConfig config() {
        return config;
    }

    /** The token embedding (for {@link BatchedForward}). */
    FloatTensor embedding() {
        return embedding;
    }

    /** The final RMSNorm weights (for {@link BatchedForward}). */
    float[] outputNorm() {
        return outputNorm;
    }

    /** The transformer blocks (for {@link BatchedForward}). */
    List<Layer> layers() {
        return layers;
    }

    public String kernelName() {
        return kernelName;
    }

    public ComputePool pool() {
        return pool;
    }

    /** Which LM head this model computes logits with. */
    public LmHeadKind headKind() {
        return headKind;
    }

    /** The LM head (applied to final-normed hidden states). */
    public LmHead lmHead() {
        return head;
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
        LayerSteps.Scratch s = new LayerSteps.Scratch(config, t);
        int startPos = cache.length();
        for (int l = 0; l < layers.size(); l++) {
            layer(l, layers.get(l), cache, startPos, t, x, s);
        }
        cache.advance(t);
        return x;
    }

    private void layer(int index, Layer w, KvCache cache, int startPos, int t, float[] x, LayerSteps.Scratch s) {
        steps.queriesKeysValues(w, x, t, i -> startPos + i, s);
        cache.store(index, startPos, s.k, s.v, 0, t);
        Attention.Parts parts = Attention.Parts.single(cache.keys(index), cache.values(index), startPos + t);
        Attention.run(pool, attentionShape, new Attention.Rows[] {new Attention.Rows(parts, 0, t, startPos + 1)}, s.q,
                s.attn);
        steps.outputAndFeedForward(w, x, t, s);
    }

    /** Final norm of {@code rows} hidden states from {@code firstRow}, then logits into {@code dst}. */
    private void logits(float[] hidden, int firstRow, int rows, float[] dst, int dstOffset) {
        int dim = config.dim();
        int vocab = config.vocabSize();
        float[] normed = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            ModelMath.rmsNorm(hidden, (firstRow + r) * dim, outputNorm, config.rmsEps(), normed, r * dim, dim);
        }
        if (dstOffset == 0 && dst.length == rows * vocab) {
            head.logits(normed, rows, dst, pool);
        } else {
            float[] block = new float[rows * vocab];
            head.logits(normed, rows, block, pool);
            System.arraycopy(block, 0, dst, dstOffset, block.length);
        }
    }
}

package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufMetadata;
import java.util.Set;

/**
 * The hyper-parameters of one BitNet b1.58 model, read from GGUF metadata under the
 * {@code <architecture>.} prefix and validated so that every size used to allocate or index is
 * bounded and consistent.
 *
 * @param architecture   {@code general.architecture}: bitnet-b1.58, bitnet-25 or bitnet
 * @param vocabSize      rows of the embedding
 * @param contextLength  trained context (the default maximum sequence length)
 * @param dim            embedding length (hidden size)
 * @param layers         block count
 * @param ffnDim         feed-forward length
 * @param heads          query heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than heads)
 * @param ropeDim        dimensions rotated by RoPE in each head (NEOX pairs i, i + ropeDim/2)
 * @param rmsEps         RMSNorm epsilon, used by every norm
 * @param ropeTheta      RoPE frequency base
 * @param activation     FFN gate activation
 */
public record BitNetConfig(
        String architecture,
        int vocabSize,
        int contextLength,
        int dim,
        int layers,
        int ffnDim,
        int heads,
        int kvHeads,
        int ropeDim,
        float rmsEps,
        float ropeTheta,
        Activation activation) {

    /** Architectures of the BitNet b1.58 family (official, older uploads, upstream llama.cpp). */
    public static final Set<String> ARCHITECTURES = Set.of("bitnet-b1.58", "bitnet-25", "bitnet");

    static final int MAX_DIM = 1 << 16;
    static final int MAX_FFN = 1 << 18;
    static final int MAX_LAYERS = 1024;
    static final int MAX_VOCAB = 1 << 22;
    static final int MAX_CONTEXT = 1 << 24;
    static final int DEFAULT_CONTEXT = 4096;
    static final float DEFAULT_EPS = 1e-5f;
    static final float DEFAULT_THETA = 10000f;

    public BitNetConfig {
        if (architecture == null || architecture.isBlank()) {
            throw new ModelFormatException("architecture must be set");
        }
        requireRange(architecture, "vocab_size", vocabSize, 1, MAX_VOCAB);
        requireRange(architecture, "context_length", contextLength, 1, MAX_CONTEXT);
        requireRange(architecture, "embedding_length", dim, 1, MAX_DIM);
        requireRange(architecture, "block_count", layers, 1, MAX_LAYERS);
        requireRange(architecture, "feed_forward_length", ffnDim, 1, MAX_FFN);
        requireRange(architecture, "attention.head_count", heads, 1, dim);
        requireRange(architecture, "attention.head_count_kv", kvHeads, 1, heads);
        if (dim % heads != 0) {
            throw new ModelFormatException(key(architecture, "embedding_length") + " = " + dim
                    + " is not a multiple of " + key(architecture, "attention.head_count") + " = " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(key(architecture, "attention.head_count") + " = " + heads
                    + " is not a multiple of " + key(architecture, "attention.head_count_kv") + " = " + kvHeads);
        }
        if (ropeDim < 2 || ropeDim > dim / heads || ropeDim % 2 != 0) {
            throw new ModelFormatException(key(architecture, "rope.dimension_count") + " = " + ropeDim
                    + " must be even and in [2, head dim " + dim / heads + "]");
        }
        if (!(rmsEps > 0f) || !Float.isFinite(rmsEps) || rmsEps > 1f) {
            throw new ModelFormatException(key(architecture, "attention.layer_norm_rms_epsilon") + " = " + rmsEps
                    + " must be in (0, 1]");
        }
        if (!(ropeTheta > 1f) || !Float.isFinite(ropeTheta)) {
            throw new ModelFormatException(key(architecture, "rope.freq_base") + " = " + ropeTheta
                    + " must be a finite number above 1");
        }
        if (activation == null) {
            throw new ModelFormatException("activation must be set");
        }
    }

    /** Reads and validates the hyper-parameters of a BitNet GGUF file. */
    public static BitNetConfig fromMetadata(GgufMetadata metadata) {
        // Every metadata read sits inside the try: a key of the wrong type (found by fuzzing the GGUF parser)
        // must surface as a model-format error naming the key, like a missing or out-of-range one.
        try {
            String arch = metadata.findString("general.architecture")
                    .orElseThrow(() -> new ModelFormatException("missing metadata key general.architecture"));
            if (!ARCHITECTURES.contains(arch)) {
                throw new ModelFormatException("general.architecture = '" + arch + "' is not supported; expected one of "
                        + String.join(", ", ARCHITECTURES.stream().sorted().toList()));
            }
            int dim = requiredInt(metadata, arch, "embedding_length");
            int heads = requiredInt(metadata, arch, "attention.head_count");
            int kvHeads = optionalInt(metadata, arch, "attention.head_count_kv", heads);
            int headDim = heads > 0 && dim % heads == 0 ? dim / heads : 0;
            return new BitNetConfig(
                    arch,
                    vocabSize(metadata, arch),
                    optionalInt(metadata, arch, "context_length", DEFAULT_CONTEXT),
                    dim,
                    requiredInt(metadata, arch, "block_count"),
                    requiredInt(metadata, arch, "feed_forward_length"),
                    heads,
                    kvHeads,
                    optionalInt(metadata, arch, "rope.dimension_count", headDim),
                    optionalFloat(metadata, arch, "attention.layer_norm_rms_epsilon", DEFAULT_EPS),
                    optionalFloat(metadata, arch, "rope.freq_base", DEFAULT_THETA),
                    activation(metadata, arch));
        } catch (GgufFormatException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    /** The attention scale {@code 1.0f / sqrtf(headDim)}, both steps in float as the reference rounds them. */
    public float attentionScale() {
        return 1.0f / (float) Math.sqrt(headDim());
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Query heads sharing one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    static String key(String arch, String name) {
        return arch + "." + name;
    }

    private static int vocabSize(GgufMetadata metadata, String arch) {
        String key = key(arch, "vocab_size");
        if (metadata.has(key)) {
            return toInt(key, metadata.getLong(key));
        }
        if (metadata.has("tokenizer.ggml.tokens")) {
            return metadata.getStringArray("tokenizer.ggml.tokens").size();
        }
        throw new ModelFormatException("missing metadata key " + key + " (and no tokenizer.ggml.tokens to count)");
    }

    private static Activation activation(GgufMetadata metadata, String arch) {
        String key = key(arch, "hidden_activation");
        if (!metadata.has(key)) {
            // The official file has no activation key; BitNet b1.58 is trained with ReLU squared.
            return Activation.RELU_SQUARED;
        }
        String value = metadata.getString(key);
        Activation parsed = Activation.parse(value);
        if (parsed == null) {
            throw new ModelFormatException(key + " = '" + value
                    + "' is not supported; expected relu2 (relu_squared), silu or gelu");
        }
        return parsed;
    }

    private static int requiredInt(GgufMetadata metadata, String arch, String name) {
        String key = key(arch, name);
        if (!metadata.has(key)) {
            throw new ModelFormatException("missing metadata key " + key);
        }
        return toInt(key, metadata.getLong(key));
    }

    private static int optionalInt(GgufMetadata metadata, String arch, String name, int fallback) {
        String key = key(arch, name);
        return metadata.has(key) ? toInt(key, metadata.getLong(key)) : fallback;
    }

    private static float optionalFloat(GgufMetadata metadata, String arch, String name, float fallback) {
        String key = key(arch, name);
        return metadata.has(key) ? metadata.getFloat(key) : fallback;
    }

    private static int toInt(String key, long value) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ModelFormatException("metadata key " + key + " = " + value + " is out of range");
        }
        return (int) value;
    }

    private static void requireRange(String arch, String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ModelFormatException(key(arch, name) + " = " + value + " is outside [" + min + ", " + max + "]");
        }
    }
}

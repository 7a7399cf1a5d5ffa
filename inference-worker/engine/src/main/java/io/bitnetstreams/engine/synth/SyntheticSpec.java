package io.bitnetstreams.engine.synth;

import io.bitnetstreams.engine.gguf.GgmlType;
import java.util.Locale;

/**
 * The shape and storage of a synthetic BitNet model.
 *
 * @param dim           embedding length (a multiple of 256, so every ternary format can store it)
 * @param layers        block count
 * @param ffnDim        feed-forward length (a multiple of 256)
 * @param heads         query heads
 * @param kvHeads       key/value heads (divides heads)
 * @param vocabSize     embedding rows; 0 = exactly the vocabulary's tokens; more = padded with control tokens
 * @param contextLength trained context written to the metadata
 * @param ropeTheta     RoPE frequency base
 * @param rmsEps        RMSNorm epsilon
 * @param activation    written as {@code <arch>.hidden_activation} when not null (the official file has none)
 * @param weightType    I2_S, TQ2_0 or TQ1_0
 * @param seed          the random seed; same spec and vocabulary give byte-identical files
 */
public record SyntheticSpec(int dim, int layers, int ffnDim, int heads, int kvHeads, int vocabSize, int contextLength,
                            float ropeTheta, float rmsEps, String activation, GgmlType weightType, long seed) {

    /** Every ternary format stores rows in blocks of at most 256 elements. */
    static final int K_MULTIPLE = 256;

    public SyntheticSpec {
        requireRange("dim", dim, K_MULTIPLE, 1 << 15);
        requireRange("layers", layers, 1, 256);
        requireRange("ffn", ffnDim, K_MULTIPLE, 1 << 17);
        requireRange("heads", heads, 1, dim);
        requireRange("kv-heads", kvHeads, 1, heads);
        requireRange("vocab-size", vocabSize, 0, 1 << 21);
        requireRange("context length", contextLength, 1, 1 << 20);
        if (dim % K_MULTIPLE != 0 || ffnDim % K_MULTIPLE != 0) {
            throw new IllegalArgumentException("dim (" + dim + ") and ffn (" + ffnDim + ") must be multiples of "
                    + K_MULTIPLE + " to be stored as ternary blocks");
        }
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("dim " + dim + " must split into " + heads + " heads of even size");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must be a multiple of kv-heads " + kvHeads);
        }
        if (!(ropeTheta > 1f) || !(rmsEps > 0f)) {
            throw new IllegalArgumentException("rope theta must be > 1 and eps > 0");
        }
        if (weightType != GgmlType.I2_S && weightType != GgmlType.TQ2_0 && weightType != GgmlType.TQ1_0) {
            throw new IllegalArgumentException("weight type must be I2_S, TQ2_0 or TQ1_0: " + weightType);
        }
    }

    /** The preset shapes: {@code 2b4t} (the real model's sizes), {@code small} and {@code tiny}. */
    public static SyntheticSpec preset(String shape, GgmlType weightType, long seed) {
        return switch (shape.toLowerCase(Locale.ROOT)) {
            case "2b4t" -> new SyntheticSpec(2560, 30, 6912, 20, 5, 128256, 4096, 500000f, 1e-5f, null, weightType, seed);
            case "small" -> new SyntheticSpec(512, 4, 1536, 8, 2, 0, 2048, 500000f, 1e-5f, null, weightType, seed);
            case "tiny" -> new SyntheticSpec(256, 2, 512, 4, 2, 0, 256, 500000f, 1e-5f, null, weightType, seed);
            default -> throw new IllegalArgumentException("unknown shape '" + shape + "'; expected 2b4t, small, tiny or custom");
        };
    }

    public SyntheticSpec withLayers(int newLayers) {
        return new SyntheticSpec(dim, newLayers, ffnDim, heads, kvHeads, vocabSize, contextLength, ropeTheta, rmsEps,
                activation, weightType, seed);
    }

    public SyntheticSpec withActivation(String newActivation) {
        return new SyntheticSpec(dim, layers, ffnDim, heads, kvHeads, vocabSize, contextLength, ropeTheta, rmsEps,
                newActivation, weightType, seed);
    }

    public SyntheticSpec withWeightType(GgmlType newType) {
        return new SyntheticSpec(dim, layers, ffnDim, heads, kvHeads, vocabSize, contextLength, ropeTheta, rmsEps,
                activation, newType, seed);
    }

    public int headDim() {
        return dim / heads;
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " = " + value + " is outside [" + min + ", " + max + "]");
        }
    }
}

package io.bitnetstreams.engine.model;

import java.util.Locale;

/** The gating activation of the FFN: {@code m = act(gate) * up}. BitNet b1.58 uses ReLU squared. */
public enum Activation {
    RELU_SQUARED,
    SILU,
    GELU;

    /** Applies the activation to one value. GELU uses the tanh approximation, as llama.cpp does. */
    public float apply(float x) {
        return switch (this) {
            case RELU_SQUARED -> {
                float r = Math.max(x, 0f);
                yield r * r;
            }
            case SILU -> (float) (x / (1.0 + Math.exp(-x)));
            case GELU -> (float) (0.5 * x * (1.0 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
        };
    }

    /**
     * Parses a {@code hidden_activation} value as written by converters; null when unknown so the
     * caller can name the offending key.
     */
    static Activation parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "relu2", "relu_squared", "relu^2", "squared_relu", "relusquared" -> RELU_SQUARED;
            case "silu", "swish", "swiglu" -> SILU;
            case "gelu", "gelu_pytorch_tanh", "gelu_new", "gelu_tanh", "geglu" -> GELU;
            default -> null;
        };
    }
}

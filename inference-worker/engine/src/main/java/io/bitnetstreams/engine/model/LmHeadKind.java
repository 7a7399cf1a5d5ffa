package io.bitnetstreams.engine.model;

import java.util.Locale;

/** How the model computes logits from the final hidden state. */
public enum LmHeadKind {
    /** The exact head: the F16 (or other float) embedding rows read in place. */
    F16("f16"),
    /**
     * An int8 copy of the head with one scale per 32 values (q8_0 style): half the bytes per token.
     * Each token's best candidates are recomputed from the exact rows, so the top token matches
     * {@link #F16} whenever the exact argmax is among them.
     */
    Q8_0("q8_0"),
    /**
     * A 4-bit copy of the head with one f32 scale per 32 values (0.625 bytes per value, 3.2x fewer
     * than F16); each token's best candidates are recomputed from the exact rows like {@link #Q8_0},
     * so the top token matches {@link #F16} whenever the exact argmax is among them.
     */
    Q4_0("q4_0"),
    /**
     * A 2-bit screening copy (four levels per 32 values with a bf16 scale, rows interleaved in groups of
     * 16: 0.3125 bytes per value, 6.4x fewer than F16, half of {@link #Q4_0}); its 64 best candidates per
     * token are recomputed from the exact rows, so the top token matches {@link #F16} whenever the exact
     * argmax is among them. Every other logit is a coarse approximation: for decode, not for scoring.
     */
    Q2("q2");

    private final String label;

    LmHeadKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses {@code f16}, {@code q8_0}, {@code q4_0} or {@code q2} (case-insensitive). */
    public static LmHeadKind parse(String text) {
        for (LmHeadKind kind : values()) {
            if (kind.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("LM head must be f16, q8_0, q4_0 or q2: '" + text + "'");
    }
}

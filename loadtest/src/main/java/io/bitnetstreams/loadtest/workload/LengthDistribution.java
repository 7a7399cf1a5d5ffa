package io.bitnetstreams.loadtest.workload;

import java.util.Locale;
import java.util.Random;

/**
 * Document lengths in tokens: {@code 128} or {@code fixed:128}, {@code uniform:64:512}, or {@code exp:200} (exponential
 * with that mean, as real document sizes are skewed). Every length is clamped to [{@link #MIN}, {@link #MAX}].
 */
public record LengthDistribution(Kind kind, int a, int b) {

    public static final int MIN = 1;
    /** Bounded: a document longer than this would only test the chunker. */
    public static final int MAX = 32_768;

    public enum Kind { FIXED, UNIFORM, EXPONENTIAL }

    public LengthDistribution {
        if (a < MIN || a > MAX || (kind == Kind.UNIFORM && (b < a || b > MAX))) {
            throw new IllegalArgumentException("document lengths must be within [" + MIN + ", " + MAX + "] tokens (uniform: min <= max)");
        }
    }

    public static LengthDistribution parse(String text) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (parts[0]) {
                case "fixed" -> new LengthDistribution(Kind.FIXED, Integer.parseInt(parts[1]), 0);
                case "uniform" -> new LengthDistribution(Kind.UNIFORM, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                case "exp" -> new LengthDistribution(Kind.EXPONENTIAL, Integer.parseInt(parts[1]), 0);
                default -> new LengthDistribution(Kind.FIXED, Integer.parseInt(parts[0]), 0);
            };
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--lengths '" + text + "': use 128, fixed:128, uniform:MIN:MAX or exp:MEAN");
        }
    }

    public int sample(Random random) {
        long length = switch (kind) {
            case FIXED -> a;
            case UNIFORM -> a + random.nextInt(b - a + 1);
            case EXPONENTIAL -> Math.round(-Math.log(1.0 - random.nextDouble()) * a);
        };
        return (int) Math.max(MIN, Math.min(MAX, length));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FIXED -> a + " tokens";
            case UNIFORM -> "uniform " + a + "-" + b + " tokens";
            case EXPONENTIAL -> "exponential, mean " + a + " tokens";
        };
    }
}

package io.bitnetstreams.launcher.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code 90s}, {@code 10m}, {@code 1h}, plain seconds ({@code 300}) or ISO-8601 ({@code PT5M}). */
public final class Durations implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("p")) {
                return positive(Duration.parse(text.toUpperCase(Locale.ROOT)), value);
            }
            char unit = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
            if (Character.isDigit(unit)) {
                return positive(Duration.ofSeconds(Long.parseLong(text)), value);
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return positive(switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw new TypeConversionException("'" + value + "': unknown unit (use s, m or h)");
            }, value);
        } catch (RuntimeException e) {
            if (e instanceof TypeConversionException conversion) {
                throw conversion;
            }
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 10m, 1h)");
        }
    }

    private static Duration positive(Duration duration, String value) {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofDays(7)) > 0) {
            throw new TypeConversionException("'" + value + "' must be between 1 s and 7 days");
        }
        return duration;
    }
}

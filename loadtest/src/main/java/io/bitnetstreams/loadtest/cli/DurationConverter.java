package io.bitnetstreams.loadtest.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h} or plain seconds; between 1 ms and 7 days. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        try {
            if (text.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (!text.isEmpty() && Character.isDigit(text.charAt(text.length() - 1))) {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            } else {
                double amount = Double.parseDouble(text.substring(0, text.length() - 1));
                duration = Duration.ofMillis(Math.round(amount * 1000 * switch (text.charAt(text.length() - 1)) {
                    case 's' -> 1;
                    case 'm' -> 60;
                    case 'h' -> 3600;
                    default -> throw new TypeConversionException("'" + value + "': unknown unit (use ms, s, m or h)");
                }));
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 60s, 10m)");
        }
        if (duration.toMillis() < 1 || duration.compareTo(Duration.ofDays(7)) > 0) {
            throw new TypeConversionException("'" + value + "' must be between 1 ms and 7 days");
        }
        return duration;
    }
}

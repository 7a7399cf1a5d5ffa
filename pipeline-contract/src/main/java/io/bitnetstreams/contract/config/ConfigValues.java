package io.bitnetstreams.contract.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A merged, checked flat configuration of one application: every {@code bitnet.*} key is one the application
 * declared in its {@link KnownKeys} (else a {@link ConfigException} names it), every other key is a Kafka client,
 * Streams or serde property kept verbatim in {@link #passthrough()}. Typed reads name the key in their errors;
 * {@link #toString()} masks secrets ({@link Secrets}).
 */
public final class ConfigValues {

    public static final String PREFIX = "bitnet.";

    private static final java.util.Set<String> SERDE_ONLY = java.util.Set.of("auto.register.schemas",
            "use.latest.version", "specific.avro.reader", "key.subject.name.strategy", "value.subject.name.strategy");

    private final KnownKeys known;
    private final Map<String, String> values;

    private ConfigValues(KnownKeys known, Map<String, String> values) {
        this.known = known;
        this.values = Collections.unmodifiableMap(values);
    }

    /** Checks every key of {@code values} against {@code known}; null or blank values count as unset. */
    public static ConfigValues of(KnownKeys known, Map<String, String> values) {
        Objects.requireNonNull(known, "known");
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            Objects.requireNonNull(key, "key");
            String trimmed = key.strip();
            known.check(trimmed);
            if (value != null && !value.isBlank()) {
                copy.put(trimmed, value.strip());
            }
        });
        return new ConfigValues(known, copy);
    }

    /** These values with {@code entries} laid over them (checked the same way). */
    public ConfigValues with(Map<String, String> entries) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(entries);
        return of(known, merged);
    }

    public KnownKeys known() {
        return known;
    }

    /** Every entry (secrets included: never log this; log {@link #toString()}). */
    public Map<String, String> asMap() {
        return values;
    }

    /** Keys outside {@code bitnet.*}, verbatim: Kafka client, Streams and serde properties. */
    public Map<String, String> passthrough() {
        Map<String, String> passthrough = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith(PREFIX)) {
                passthrough.put(key, value);
            }
        });
        return passthrough;
    }

    /**
     * What Kafka clients read: the passthrough keys without the serde-only ones ({@code schema.registry.*},
     * {@code basic.auth.*}, {@code auto.register.schemas}, ...), so clients do not warn about them.
     */
    public Map<String, String> clientConfig() {
        Map<String, String> client = passthrough();
        client.keySet().removeIf(ConfigValues::isSerdeOnly);
        return client;
    }

    /** Keys only the Avro serdes read (Confluent's serde key names). */
    public static boolean isSerdeOnly(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.") || SERDE_ONLY.contains(key);
    }

    /** What the Avro serdes read: the passthrough keys plus the serde's own {@code bitnet.schema.registry.*} keys. */
    public Map<String, String> serdeConfig() {
        Map<String, String> serde = passthrough();
        for (String key : KnownKeys.SERDE) {
            if (values.containsKey(key)) {
                serde.put(key, values.get(key));
            }
        }
        return serde;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(declared(key)));
    }

    public String text(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    /** The value of a key that has no default; names the key when it is missing. */
    public String required(String key, String hint) {
        return get(key).orElseThrow(() -> new ConfigException(key, "missing" + (hint == null ? "" : " (" + hint + ")")));
    }

    public int integer(String key, int fallback) {
        long value = longValue(key, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ConfigException(key, "out of range: " + value);
        }
        return (int) value;
    }

    public long longValue(String key, long fallback) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + value.get() + "' is not a whole number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key, "'" + value.get() + "' is not true or false");
        };
    }

    /** Milliseconds ({@code 5000}), ISO-8601 ({@code PT24H}) or a number with ms, s, m, h or d ({@code 24h}). */
    public Duration duration(String key, Duration fallback) {
        Optional<String> value = get(key);
        return value.isEmpty() ? fallback : parseDuration(key, value.get());
    }

    static Duration parseDuration(String key, String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("p")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).strip()));
            }
            char unit = text.charAt(text.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofMillis(Long.parseLong(text));
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1).strip());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new ConfigException(key, "'" + value + "': unknown unit '" + unit + "' (ms, s, m, h, d)");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new ConfigException(key, "'" + value + "' is not a duration (e.g. 5000, 30s, 24h, PT24H)");
        }
    }

    /** Reading a {@code bitnet.*} key the application did not declare is a programming error: its users could not set it. */
    private String declared(String key) {
        if (key.startsWith(PREFIX) && !known.contains(key)) {
            throw new IllegalStateException(key + " is read but not declared in the known keys of " + known.application());
        }
        return key;
    }

    /** Secrets masked. */
    @Override
    public String toString() {
        return known.application() + " config " + Secrets.masked(values);
    }
}

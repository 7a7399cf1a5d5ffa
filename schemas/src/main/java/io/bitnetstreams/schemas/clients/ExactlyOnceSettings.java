package io.bitnetstreams.schemas.clients;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule for user settings that would silently break exactly-once: the topology and the worker pass their
 * Kafka client settings through, but these keys are theirs to set. {@link #refuseOverrides} names every offending
 * key with the reason, so a start with such a setting fails at once instead of losing or duplicating results later.
 */
public final class ExactlyOnceSettings {

    /** A key a user may not set, and why. */
    public record Forbidden(String key, String why) {}

    private static final List<Forbidden> FORBIDDEN = List.of(
            new Forbidden("processing.guarantee", "the topology always runs exactly_once_v2"),
            new Forbidden("isolation.level", "consumers must read only committed records (read_committed)"),
            new Forbidden("transactional.id", "transactional ids are derived per instance so a restart fences its zombie"),
            new Forbidden("enable.auto.commit", "offsets are committed inside the producer's transaction"),
            new Forbidden("enable.idempotence", "transactions need the idempotent producer"),
            new Forbidden("acks", "transactions need acks=all"));
    /** Prefixes Kafka Streams uses to scope a client setting to one of its clients. */
    private static final List<String> SCOPES = List.of("", "consumer.", "producer.", "main.consumer.",
            "restore.consumer.", "global.consumer.", "admin.", "kafka.");

    private ExactlyOnceSettings() {}

    /** The forbidden keys, for documentation and help texts. */
    public static List<Forbidden> forbidden() {
        return FORBIDDEN;
    }

    /**
     * Throws {@link IllegalArgumentException} naming every key of {@code settings} (plain, or scoped like
     * {@code consumer.isolation.level}) that would change what exactly-once needs; values equal to what the
     * application sets anyway ({@code read_committed}, {@code exactly_once_v2}, {@code false} auto-commit,
     * {@code true} idempotence, {@code all}/{@code -1} acks) are accepted.
     */
    public static void refuseOverrides(Map<String, ?> settings) {
        List<String> problems = new ArrayList<>();
        settings.forEach((key, value) -> {
            for (Forbidden forbidden : FORBIDDEN) {
                if (matches(key, forbidden.key()) && !harmless(forbidden.key(), value)) {
                    problems.add(key + "=" + value + " (" + forbidden.why() + ")");
                }
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("settings that would break exactly-once are not allowed: "
                    + String.join("; ", problems));
        }
    }

    private static boolean matches(String key, String forbidden) {
        return SCOPES.stream().anyMatch(scope -> key.equals(scope + forbidden));
    }

    private static boolean harmless(String key, Object value) {
        String text = value == null ? "" : value.toString().strip().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "processing.guarantee" -> text.equals("exactly_once_v2");
            case "isolation.level" -> text.equals("read_committed");
            case "enable.auto.commit" -> text.equals("false");
            case "enable.idempotence" -> text.equals("true");
            case "acks" -> text.equals("all") || text.equals("-1");
            default -> false;
        };
    }
}

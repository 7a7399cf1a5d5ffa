package io.bitnetstreams.contract.config;

import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code bitnet.*} keys one application understands, and the old spellings it still recognises to say what they
 * are called now. Any other {@code bitnet.*} key is rejected by {@link ConfigValues}, naming it (with the closest
 * known key as a suggestion). Keys outside {@code bitnet.*} are Kafka client, Streams or serde properties and pass
 * through verbatim.
 *
 * @param application name in messages, e.g. {@code worker}
 * @param keys        every {@code bitnet.*} key the application reads
 * @param renamed     former key -> current key; using a former key is an error that names the current one. A
 *                    former key ending in {@code .} is a prefix: {@code kafka. -> ""} says {@code kafka.linger.ms}
 *                    is now {@code linger.ms}
 */
public record KnownKeys(String application, Set<String> keys, Map<String, String> renamed) {

    /** The serde's own keys ({@code bitnet.schema.registry.*}): every application that talks to the registry knows them. */
    public static final Set<String> SERDE = Set.of(SerdeConfig.MAX_RETRIES, SerdeConfig.RETRY_BACKOFF_MS,
            SerdeConfig.RETRY_BACKOFF_MAX_MS, SerdeConfig.REQUEST_TIMEOUT_MS);

    public KnownKeys {
        Objects.requireNonNull(application, "application");
        keys = Set.copyOf(keys);
        renamed = Map.copyOf(renamed);
        for (String key : keys) {
            if (!key.startsWith(ConfigValues.PREFIX)) {
                throw new IllegalArgumentException("known keys are bitnet.* keys, not '" + key + "'");
            }
        }
    }

    /** The keys of {@code groups} together, no renamed keys. */
    @SafeVarargs
    public static KnownKeys of(String application, Collection<String>... groups) {
        Set<String> all = new HashSet<>();
        for (Collection<String> group : groups) {
            all.addAll(group);
        }
        return new KnownKeys(application, all, Map.of());
    }

    /** These keys and {@code other}'s (an application made of two, like the standalone stack). */
    public KnownKeys union(String name, KnownKeys other) {
        Set<String> all = new HashSet<>(keys);
        all.addAll(other.keys);
        // former spellings stay with their application: one's former key may be a valid key of the other
        // (the worker's former commit.interval.ms is a Kafka Streams property of the topology)
        Map<String, String> allRenamed = new java.util.HashMap<>();
        for (KnownKeys part : List.of(this, other)) {
            part.renamed.forEach((former, current) -> {
                if (former.startsWith(ConfigValues.PREFIX)) {
                    allRenamed.put(former, current);
                }
            });
        }
        return new KnownKeys(name, all, allRenamed);
    }

    /** A copy that also recognises these former spellings. */
    public KnownKeys withRenamed(Map<String, String> formerToCurrent) {
        Map<String, String> all = new java.util.HashMap<>(renamed);
        all.putAll(formerToCurrent);
        return new KnownKeys(application, keys, all);
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    /** Sorted, for help texts and messages. */
    public Set<String> sorted() {
        return new TreeSet<>(keys);
    }

    /** Throws when {@code key} is an unknown {@code bitnet.*} key or a former spelling; other keys are fine. */
    void check(String key) {
        String current = renamed.get(key);
        if (current == null) {
            current = renamed.entrySet().stream().filter(e -> e.getKey().endsWith(".") && key.startsWith(e.getKey()))
                    .findFirst().map(e -> e.getValue() + key.substring(e.getKey().length())).orElse(null);
        }
        if (current != null) {
            throw new ConfigException(key, "this key is now called '" + current + "' (environment: "
                    + EnvironmentRule.variableOf(current) + ")");
        }
        if (key.startsWith(ConfigValues.PREFIX) && !keys.contains(key)) {
            String hint = closest(key).map(k -> "; did you mean '" + k + "'?").orElse("");
            throw new ConfigException(key, "unknown " + application + " key" + hint + " (known: "
                    + String.join(", ", sorted()) + ")");
        }
    }

    /** The known key nearest to {@code key} by edit distance, when it is near enough to be a typo. */
    Optional<String> closest(String key) {
        return keys.stream().map(k -> Map.entry(k, distance(k, key)))
                .filter(e -> e.getValue() <= Math.max(2, key.length() / 5))
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

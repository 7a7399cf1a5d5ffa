package io.bitnetstreams.contract.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The one rule mapping environment variables to configuration keys (containers configure everything this way):
 *
 * <pre>
 *   BITNET_&lt;NAME&gt;           -&gt; bitnet.&lt;name&gt;           BITNET_CHUNK_TOKENS     -&gt; bitnet.chunk.tokens
 *   KAFKA_&lt;NAME&gt;            -&gt; &lt;name&gt;                  KAFKA_SASL_JAAS_CONFIG  -&gt; sasl.jaas.config
 *   SCHEMA_REGISTRY_&lt;NAME&gt;  -&gt; schema.registry.&lt;name&gt;  SCHEMA_REGISTRY_URL     -&gt; schema.registry.url
 * </pre>
 *
 * <p>{@code <name>} is the rest of the variable in lower case with {@code _} read as {@code .}, {@code __} as
 * {@code _} and {@code ___} as {@code -} (the convention of Confluent's images). {@code KAFKA_*} carries every key
 * outside {@code bitnet.*}: Kafka client and Streams properties, and serde keys such as
 * {@code KAFKA_BASIC_AUTH_USER_INFO -> basic.auth.user.info}.
 *
 * <p>Not configuration, so ignored: the launchers' own variables ({@link #PROCESS_VARIABLES}, e.g.
 * {@code BITNET_JAVA_OPTS}), the JVM options of Kafka's scripts ({@code KAFKA_HEAP_OPTS}, ...), and the
 * service-link variables Kubernetes adds for a Service named {@code kafka} or {@code schema-registry}
 * ({@code KAFKA_PORT}, {@code KAFKA_SERVICE_HOST}, {@code SCHEMA_REGISTRY_PORT_8081_TCP_ADDR}, ...).
 */
public final class EnvironmentRule {

    public static final String BITNET_PREFIX = "BITNET_";
    public static final String KAFKA_PREFIX = "KAFKA_";
    public static final String REGISTRY_PREFIX = "SCHEMA_REGISTRY_";

    /** Variables read by the launchers, the CLI or the devstack themselves; never configuration keys. */
    public static final Set<String> PROCESS_VARIABLES = Set.of(
            "BITNET_CONFIG", "BITNET_JAVA_OPTS", "BITNET_JVM_ARGS", "BITNET_HOME", "BITNET_LOG_LEVEL",
            "BITNET_APICURIO_DIST", "BITNET_CACHE_DIR",
            "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS",
            "KAFKA_JMX_OPTS", "KAFKA_DEBUG", "KAFKA_HOME");

    /** Kubernetes service links: {@code X_SERVICE_HOST}, {@code X_SERVICE_PORT[_NAME]}, {@code X_PORT[_N_PROTO[_...]]}. */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "(KAFKA|SCHEMA_REGISTRY)_(SERVICE_HOST|SERVICE_PORT(_.*)?|PORT|PORT_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)");

    private EnvironmentRule() {}

    /** The configuration key of one variable, or empty when the variable is not configuration. */
    public static Optional<String> keyOf(String variable) {
        if (variable == null || PROCESS_VARIABLES.contains(variable) || SERVICE_LINK.matcher(variable).matches()) {
            return Optional.empty();
        }
        if (variable.startsWith(BITNET_PREFIX)) {
            return name(variable.substring(BITNET_PREFIX.length())).map(name -> "bitnet." + name);
        }
        if (variable.startsWith(REGISTRY_PREFIX)) {
            return name(variable.substring(REGISTRY_PREFIX.length())).map(name -> "schema.registry." + name);
        }
        if (variable.startsWith(KAFKA_PREFIX)) {
            return name(variable.substring(KAFKA_PREFIX.length()));
        }
        return Optional.empty();
    }

    /** The variable that sets {@code key} (the inverse of {@link #keyOf}), for messages and rendered manifests. */
    public static String variableOf(String key) {
        String prefix;
        String rest;
        if (key.startsWith("bitnet.")) {
            prefix = BITNET_PREFIX;
            rest = key.substring("bitnet.".length());
        } else if (key.startsWith("schema.registry.")) {
            prefix = REGISTRY_PREFIX;
            rest = key.substring("schema.registry.".length());
        } else {
            prefix = KAFKA_PREFIX;
            rest = key;
        }
        StringBuilder encoded = new StringBuilder();
        for (char c : rest.toCharArray()) {
            encoded.append(switch (c) {
                case '.' -> "_";
                case '_' -> "__";
                case '-' -> "___";
                default -> String.valueOf(c);
            });
        }
        return prefix + encoded.toString().toUpperCase(Locale.ROOT);
    }

    /** Every configuration entry of {@code environment}, sorted by key (variables that are not config are left out). */
    public static Map<String, String> configOf(Map<String, String> environment) {
        Map<String, String> keys = new TreeMap<>();
        environment.forEach((variable, value) -> keyOf(variable).ifPresent(key -> keys.put(key, value)));
        return new LinkedHashMap<>(keys);
    }

    /** {@code CHUNK_TOKENS -> chunk.tokens}, {@code A__B -> a_b}, {@code A___B -> a-b}; empty for an empty name. */
    private static Optional<String> name(String rest) {
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder(rest.length());
        int i = 0;
        while (i < rest.length()) {
            char c = rest.charAt(i);
            if (c != '_') {
                key.append(Character.toLowerCase(c));
                i++;
                continue;
            }
            int run = 0;
            while (i + run < rest.length() && rest.charAt(i + run) == '_') {
                run++;
            }
            key.append(switch (run) {
                case 1 -> ".";
                case 2 -> "_";
                case 3 -> "-";
                default -> "_".repeat(run); // no key has these; kept as written so the unknown-key error shows it
            });
            i += run;
        }
        return Optional.of(key.toString());
    }
}

package io.bitnetstreams.contract.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which configuration values are secret, and their masked form for logs and {@code toString}. A key is secret when
 * it holds a password ({@code ssl.keystore.password}, {@code ssl.key.password}, ...), a JAAS configuration
 * ({@code sasl.jaas.config}), user info ({@code basic.auth.user.info}), a client secret or a private
 * key ({@code ssl.keystore.key}); registry URLs may carry {@code user:password@} and are masked in that part.
 */
public final class Secrets {

    public static final String MASK = "[hidden]";

    private static final String[] SECRET_PARTS = {
        "password", "jaas.config", "user.info", "secret", "ssl.keystore.key", "private.key", "api.key",
        "token.value", "access.token"
    };

    private Secrets() {}

    public static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String part : SECRET_PARTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** The value as it may be logged: {@link #MASK} for secret keys, URLs without their user info. */
    public static String loggable(String key, Object value) {
        if (value == null) {
            return null;
        }
        if (isSecret(key)) {
            return MASK;
        }
        return value.toString().replaceAll("(https?://)[^/@\\s,]+@", "$1" + MASK + "@");
    }

    /** A sorted copy of {@code config} safe to log. */
    public static Map<String, String> masked(Map<String, ?> config) {
        Map<String, String> sorted = new TreeMap<>();
        config.forEach((key, value) -> sorted.put(key, loggable(key, value)));
        return new LinkedHashMap<>(sorted);
    }
}

package io.bitnetstreams.schemas.serde.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** HTTP basic credentials for the registry. */
public record BasicAuth(String user, String password) {

    public BasicAuth {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("basic auth user must not be empty");
        }
    }

    /** Parses Confluent's {@code user:password} form (the password may itself contain ':'). */
    public static BasicAuth parse(String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected user:password");
        }
        return new BasicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    public String authorizationHeader() {
        String token = user + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "BasicAuth[user=" + user + ", password=***]";
    }
}

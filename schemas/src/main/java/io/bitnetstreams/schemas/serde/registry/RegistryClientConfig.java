package io.bitnetstreams.schemas.serde.registry;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the HTTP registry client needs.
 *
 * @param urls           registry base URLs (e.g. {@code http://host:8081} or
 *                       {@code http://host:8080/apis/ccompat/v7}); tried in order, failing over on errors
 * @param basicAuth      credentials sent with every request, if any
 * @param retry          retry policy for 5xx replies and connection errors
 * @param requestTimeout timeout of one HTTP request
 * @param tls            trust and key stores for HTTPS registries with a private CA or mutual TLS; empty = JDK defaults
 */
public record RegistryClientConfig(List<URI> urls, Optional<BasicAuth> basicAuth, RetryPolicy retry, Duration requestTimeout,
        Optional<RegistryTls> tls) {

    /** Without TLS settings (the JDK's default CAs for https URLs). */
    public RegistryClientConfig(List<URI> urls, Optional<BasicAuth> basicAuth, RetryPolicy retry, Duration requestTimeout) {
        this(urls, basicAuth, retry, requestTimeout, Optional.empty());
    }

    public RegistryClientConfig {
        Objects.requireNonNull(tls, "tls");
        urls = List.copyOf(urls);
        Objects.requireNonNull(basicAuth, "basicAuth");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one registry URL is needed");
        }
        for (URI url : urls) {
            if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new IllegalArgumentException("registry URL must be http(s)://host[:port][/path], got "
                        + Redaction.urls(url.toString()));
            }
            if (url.getUserInfo() != null) {
                throw new IllegalArgumentException("registry URL must not carry credentials here; use BasicAuth: "
                        + Redaction.urls(url.toString()));
            }
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive");
        }
    }

    /** One URL, no auth, default retries, 30 s timeout. */
    public static RegistryClientConfig of(URI url) {
        return new RegistryClientConfig(List.of(url), Optional.empty(), RetryPolicy.DEFAULT, Duration.ofSeconds(30));
    }
}

package io.bitnetstreams.engine.download;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Settings of {@link ModelDownloader}, validated on construction. {@link #toString()} never shows
 * the bearer token.
 *
 * @param directory      where finished files (and their {@code .part} files) live
 * @param maxAttempts    attempts without progress before giving up on connection errors and 5xx (>= 1)
 * @param initialBackoff wait before the first retry; doubles per failed attempt (>= 0)
 * @param maxBackoff     cap of the wait (>= initialBackoff)
 * @param connectTimeout TCP connect timeout (> 0)
 * @param stallTimeout   a response body that delivers no byte for this long is dropped and the
 *                       download resumed (> 0); guards against half-open connections
 * @param maxFileBytes   refuse larger downloads (> 0); bounds what a server can make us write
 * @param bearerToken    sent as {@code Authorization: Bearer ...} to the source host; null = none
 */
public record DownloadConfig(Path directory, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                             Duration connectTimeout, Duration stallTimeout, long maxFileBytes, String bearerToken) {

    public static final String TOKEN_ENV = "HF_TOKEN";
    public static final long DEFAULT_MAX_FILE_BYTES = 64L << 30;

    public DownloadConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("maxAttempts must be in [1, 100], got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "backoff must satisfy 0 <= initial <= max, got " + initialBackoff + " / " + maxBackoff);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0, got " + connectTimeout);
        }
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be > 0, got " + stallTimeout);
        }
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be > 0, got " + maxFileBytes);
        }
        if (bearerToken != null) {
            bearerToken = bearerToken.strip();
            if (bearerToken.isEmpty()) {
                bearerToken = null;
            } else if (bearerToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("bearer token contains characters not allowed in a header");
            }
        }
    }

    /** {@code ~/.cache/bitnet-streams/models}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".cache", "bitnet-streams", "models");
    }

    /** Defaults with the token from the environment variable {@value #TOKEN_ENV} when set. */
    public static DownloadConfig defaults() {
        return fromEnvironment(System::getenv);
    }

    /** Defaults with the token read through {@code environment} (testable). */
    public static DownloadConfig fromEnvironment(Function<String, String> environment) {
        return new DownloadConfig(defaultDirectory(), 5, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(20), Duration.ofSeconds(60), DEFAULT_MAX_FILE_BYTES, environment.apply(TOKEN_ENV));
    }

    public DownloadConfig withDirectory(Path value) {
        return new DownloadConfig(value, maxAttempts, initialBackoff, maxBackoff, connectTimeout, stallTimeout, maxFileBytes, bearerToken);
    }

    public DownloadConfig withRetries(int attempts, Duration initial, Duration max) {
        return new DownloadConfig(directory, attempts, initial, max, connectTimeout, stallTimeout, maxFileBytes, bearerToken);
    }

    public DownloadConfig withStallTimeout(Duration value) {
        return new DownloadConfig(directory, maxAttempts, initialBackoff, maxBackoff, connectTimeout, value, maxFileBytes, bearerToken);
    }

    public DownloadConfig withMaxFileBytes(long value) {
        return new DownloadConfig(directory, maxAttempts, initialBackoff, maxBackoff, connectTimeout, stallTimeout, value, bearerToken);
    }

    public DownloadConfig withBearerToken(String value) {
        return new DownloadConfig(directory, maxAttempts, initialBackoff, maxBackoff, connectTimeout, stallTimeout, maxFileBytes, value);
    }

    /** Backoff before retry number {@code retry} (1-based): initial * 2^(retry-1), capped. */
    public Duration backoff(int retry) {
        if (initialBackoff.isZero()) {
            return Duration.ZERO;
        }
        int doublings = Math.min(Math.max(retry - 1, 0), 30);
        Duration wait = initialBackoff.multipliedBy(1L << doublings);
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    @Override
    public String toString() {
        return "DownloadConfig[directory=" + directory + ", maxAttempts=" + maxAttempts
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", connectTimeout=" + connectTimeout + ", stallTimeout=" + stallTimeout + ", maxFileBytes=" + maxFileBytes
                + ", bearerToken=" + (bearerToken == null ? "none" : "***") + "]";
    }
}

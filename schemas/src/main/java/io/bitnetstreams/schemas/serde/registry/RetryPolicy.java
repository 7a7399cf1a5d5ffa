package io.bitnetstreams.schemas.serde.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently the registry client retries a request that failed with a 5xx status or a
 * connection error. Backoff doubles from {@code initialBackoff} up to {@code maxBackoff}.
 *
 * @param maxRetries     retries after the first attempt; 0 disables retrying
 * @param initialBackoff wait before the first retry
 * @param maxBackoff     cap on any single wait
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {

    /** Upper bound on retries: a misconfiguration must not turn into an endless loop. */
    public static final int MAX_RETRIES_LIMIT = 100;

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5));

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
            throw new IllegalArgumentException("maxRetries must be in [0, " + MAX_RETRIES_LIMIT + "], got " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoffs must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
    }

    /** The wait before retry number {@code retry} (1-based): initial * 2^(retry-1), capped at maxBackoff. */
    public Duration backoffBeforeRetry(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
        }
        int doublings = Math.min(retry - 1, 30);
        long millis = initialBackoff.toMillis() << doublings;
        if (millis < 0 || millis > maxBackoff.toMillis()) {
            return maxBackoff;
        }
        return Duration.ofMillis(millis);
    }
}

package io.bitnetstreams.engine.chat;

import java.util.List;
import java.util.Objects;

/**
 * Stop strings for generated text. {@link #indexIn} finds where the earliest stop string starts;
 * {@link #safePrefixLength} tells a streaming caller how much text can be emitted now without
 * ever emitting the beginning of a stop string that the next tokens might complete.
 * Immutable and thread-safe.
 */
public final class StopStrings {

    /** Bounds on caller-supplied stop strings (they may come from requests). */
    public static final int MAX_COUNT = 64;
    public static final int MAX_LENGTH = 1024;

    private static final StopStrings NONE = new StopStrings(List.of());

    private final List<String> strings;
    private final int maxLength;

    public StopStrings(List<String> strings) {
        Objects.requireNonNull(strings, "strings");
        if (strings.size() > MAX_COUNT) {
            throw new IllegalArgumentException("at most " + MAX_COUNT + " stop strings, got " + strings.size());
        }
        int longest = 0;
        for (int i = 0; i < strings.size(); i++) {
            String stop = strings.get(i);
            if (stop == null || stop.isEmpty()) {
                throw new IllegalArgumentException("stop string " + i + " is null or empty");
            }
            if (stop.length() > MAX_LENGTH) {
                throw new IllegalArgumentException(
                        "stop string " + i + " is longer than " + MAX_LENGTH + " chars (" + stop.length() + ")");
            }
            longest = Math.max(longest, stop.length());
        }
        this.strings = List.copyOf(strings);
        this.maxLength = longest;
    }

    public static StopStrings none() {
        return NONE;
    }

    public List<String> strings() {
        return strings;
    }

    public boolean isEmpty() {
        return strings.isEmpty();
    }

    /** Start of the earliest occurrence of any stop string in {@code text}, or -1. */
    public int indexIn(CharSequence text) {
        Objects.requireNonNull(text, "text");
        int earliest = -1;
        for (String stop : strings) {
            int limit = earliest < 0 ? text.length() : Math.min(text.length(), earliest + stop.length() - 1);
            int at = indexOf(text, stop, limit);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /**
     * How many leading chars of {@code text} can be emitted now: up to the start of a complete
     * stop string if there is one, otherwise everything except a tail that is a proper prefix of
     * some stop string (it might still complete). Never splits a surrogate pair.
     */
    public int safePrefixLength(CharSequence text) {
        int stopAt = indexIn(text);
        if (stopAt >= 0) {
            return stopAt;
        }
        int length = text.length();
        int safe = length;
        for (int start = Math.max(0, length - maxLength + 1); start < length; start++) {
            if (tailStartsSomeStop(text, start)) {
                safe = start;
                break;
            }
        }
        if (safe > 0 && Character.isHighSurrogate(text.charAt(safe - 1))) {
            safe--;
        }
        return safe;
    }

    private boolean tailStartsSomeStop(CharSequence text, int start) {
        int tail = text.length() - start;
        for (String stop : strings) {
            if (stop.length() > tail && regionMatches(text, start, stop, tail)) {
                return true;
            }
        }
        return false;
    }

    /** First index i with stop at text[i..], considering only ends <= limit. */
    private static int indexOf(CharSequence text, String stop, int limit) {
        int last = limit - stop.length();
        for (int i = 0; i <= last; i++) {
            if (regionMatches(text, i, stop, stop.length())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionMatches(CharSequence text, int offset, String stop, int length) {
        for (int j = 0; j < length; j++) {
            if (text.charAt(offset + j) != stop.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "StopStrings" + strings;
    }
}

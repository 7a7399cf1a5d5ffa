package io.bitnetstreams.schemas.serde.registry;

import java.util.regex.Pattern;

/** Removes credentials from text that may be printed: {@code http://alice:s3cret@host} becomes {@code http://alice:***@host}. */
public final class Redaction {

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s:,]*)(:[^/@\\s,]*)?@");

    private Redaction() {}

    /** {@code text} with the password of every URL in it replaced by {@code ***}. */
    public static String urls(String text) {
        if (text == null) {
            return null;
        }
        return USER_INFO.matcher(text).replaceAll(match -> java.util.regex.Matcher.quoteReplacement(
                match.group(1) + match.group(2) + (match.group(3) == null ? "" : ":***") + "@"));
    }
}

package io.bitnetstreams.worker.config;

import java.util.Locale;

/** The kinds of work a worker can consume; each has its own topic. */
public enum TaskType {
    CLASSIFY, EXTRACT, GENERATE;

    /** Default topic name, e.g. {@code bitnet.work.classify}. */
    public String defaultTopic() {
        return "bitnet.work." + name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code classify}, {@code EXTRACT}, ... naming the key on failure. */
    public static TaskType parse(String key, String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(key, "unknown task '" + value.trim() + "' (expected classify, extract or generate)");
        }
    }
}

package io.bitnetstreams.standalone.input;

import java.util.Locale;
import java.util.Optional;

/** The three tasks a request can ask for, with their names in JSONL input and on the command line. */
public enum TaskKind {
    CLASSIFY, EXTRACT, GENERATE;

    /** The lower-case name used in input files and reports. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TaskKind> fromWireName(String name) {
        for (TaskKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}

package io.bitnetstreams.contract;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import java.util.Locale;
import java.util.Optional;

/**
 * The three tasks a request can carry: the one enum every part uses (topology routing, worker subscriptions,
 * JSONL input, reports). Its {@link #wireName()} is the name in JSONL input, on the command line, in config
 * values ({@code bitnet.tasks=classify,extract}) and in topic defaults.
 */
public enum TaskKind {
    CLASSIFY, EXTRACT, GENERATE;

    /** The lower-case name used in input files, reports and config values. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with this exact lower-case name, if any. */
    public static Optional<TaskKind> fromWireName(String name) {
        for (TaskKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind of a task object from the Avro request's union, or null when it is none of ours. */
    public static TaskKind of(Object task) {
        return switch (task) {
            case ClassifyTask ignored -> CLASSIFY;
            case ExtractTask ignored -> EXTRACT;
            case GenerateTask ignored -> GENERATE;
            case null, default -> null;
        };
    }
}

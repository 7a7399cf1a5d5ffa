package io.bitnetstreams.topology.state;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;

/** The three tasks a request can carry. */
public enum TaskKind {
    CLASSIFY, EXTRACT, GENERATE;

    /** The kind of a task object from the Avro union, or null when it is none of ours. */
    public static TaskKind of(Object task) {
        return switch (task) {
            case ClassifyTask ignored -> CLASSIFY;
            case ExtractTask ignored -> EXTRACT;
            case GenerateTask ignored -> GENERATE;
            case null, default -> null;
        };
    }
}

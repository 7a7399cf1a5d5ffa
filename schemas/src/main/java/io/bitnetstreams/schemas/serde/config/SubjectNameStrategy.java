package io.bitnetstreams.schemas.serde.config;

import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/** How the serde names the registry subject a schema is registered under, as Confluent's strategies do. */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one record type per topic (the default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name: one subject per type, shared by every topic carrying it. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}: several record types per topic, evolved per topic. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String simpleName;

    SubjectNameStrategy(String simpleName) {
        this.simpleName = simpleName;
    }

    public String subjectName(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> schema.getFullName();
            case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
        };
    }

    /**
     * Accepts the simple name ({@code TopicNameStrategy}), Confluent's class name
     * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}) or the enum constant ({@code TOPIC_NAME}).
     */
    public static Optional<SubjectNameStrategy> fromName(String name) {
        String trimmed = name.strip();
        String simple = trimmed.startsWith(CONFLUENT_PACKAGE) ? trimmed.substring(CONFLUENT_PACKAGE.length()) : trimmed;
        for (SubjectNameStrategy strategy : values()) {
            if (strategy.simpleName.equals(simple) || strategy.name().equals(simple.toUpperCase(Locale.ROOT))) {
                return Optional.of(strategy);
            }
        }
        return Optional.empty();
    }

    /** Confluent's fully-qualified class name for this strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + simpleName;
    }
}

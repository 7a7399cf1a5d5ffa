package io.bitnetstreams.connectors.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Validated settings of {@link DocumentSourceConnector}; {@link #CONFIG_DEF} documents every key.
 *
 * @param directories      watched directories (each task gets a share)
 * @param topic            where requests go
 * @param deadLetterTopic  where unreadable files and invalid request lines go, as {@code DeadLetter} records
 * @param tenant           tenant of the requests made from plain documents
 * @param documentTasks    what to request for each plain document: classify, extract or both
 * @param labels           classification labels (when classifying)
 * @param classifyInstruction optional classification instruction
 * @param extractSchema    JSON Schema text of the extraction (when extracting)
 * @param extractInstruction optional extraction instruction
 * @param finishedAction   NONE leaves files in place; MOVE puts them in {@code processed/} or {@code failed/}
 * @param maxFileBytes     larger files are dead-lettered unread
 * @param maxLineBytes     longer JSONL lines are dead-lettered
 * @param maxRecordsPerPoll records per poll (a poll is one transaction under exactly-once)
 * @param minFileAge       files modified more recently are left for the next scan (still being written)
 * @param pollInterval     pause between scans of an idle directory
 */
public record DocumentSourceConfig(List<Path> directories, String topic, String deadLetterTopic, String tenant,
                                   List<DocumentTask> documentTasks, List<String> labels, String classifyInstruction,
                                   String extractSchema, String extractInstruction, FinishedAction finishedAction,
                                   long maxFileBytes, int maxLineBytes, int maxRecordsPerPoll, Duration minFileAge,
                                   Duration pollInterval) {

    public enum DocumentTask { CLASSIFY, EXTRACT }

    public enum FinishedAction { NONE, MOVE }

    public static final String DIRECTORIES = "directories";
    public static final String TOPIC = "topic";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String TENANT = "tenant";
    public static final String DOCUMENT_TASKS = "document.tasks";
    public static final String CLASSIFY_LABELS = "classify.labels";
    public static final String CLASSIFY_INSTRUCTION = "classify.instruction";
    public static final String EXTRACT_SCHEMA = "extract.schema";
    public static final String EXTRACT_INSTRUCTION = "extract.instruction";
    public static final String FINISHED_ACTION = "finished.action";
    public static final String MAX_FILE_BYTES = "max.file.bytes";
    public static final String MAX_LINE_BYTES = "max.line.bytes";
    public static final String MAX_RECORDS_PER_POLL = "max.records.per.poll";
    public static final String MIN_FILE_AGE_MS = "min.file.age.ms";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";

    public static final String PROCESSED_DIR = "processed";
    public static final String FAILED_DIR = "failed";
    public static final long MAX_FILE_BYTES_LIMIT = 1L << 30;

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(DIRECTORIES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Directories to watch (not recursive). Files ending in .txt .md .html .htm .pdf .docx become one"
                            + " request per document task; .jsonl files hold ready-made requests, one per line.")
            .define(TOPIC, Type.STRING, "bitnet.requests", Importance.HIGH, "Topic the requests go to.")
            .define(DEAD_LETTER_TOPIC, Type.STRING, "bitnet.dlq", Importance.MEDIUM,
                    "Topic for DeadLetter records: unreadable or oversized files, invalid request lines.")
            .define(TENANT, Type.STRING, "connect", Importance.LOW, "Tenant of requests made from documents.")
            .define(DOCUMENT_TASKS, Type.LIST, "classify", Importance.HIGH,
                    "What to request for each plain document: classify, extract, or both (classify,extract).")
            .define(CLASSIFY_LABELS, Type.LIST, "", Importance.HIGH, "Labels to classify documents into.")
            .define(CLASSIFY_INSTRUCTION, Type.STRING, null, Importance.LOW, "Optional classification instruction.")
            .define(EXTRACT_SCHEMA, Type.STRING, null, Importance.HIGH,
                    "JSON Schema (as JSON text) of the object to extract from each document.")
            .define(EXTRACT_INSTRUCTION, Type.STRING, null, Importance.LOW, "Optional extraction instruction.")
            .define(FINISHED_ACTION, Type.STRING, "none", ConfigDef.ValidString.in("none", "move"), Importance.MEDIUM,
                    "none: leave finished files (offsets remember them); move: into processed/ or failed/ beside them,"
                            + " after their records are committed.")
            .define(MAX_FILE_BYTES, Type.LONG, 50L << 20, Range.between(1, MAX_FILE_BYTES_LIMIT), Importance.MEDIUM,
                    "Larger files are dead-lettered without being read.")
            .define(MAX_LINE_BYTES, Type.INT, 1 << 20, Range.between(64, 16 << 20), Importance.LOW,
                    "Longer JSONL lines are dead-lettered.")
            .define(MAX_RECORDS_PER_POLL, Type.INT, 200, Range.between(1, 10_000), Importance.LOW,
                    "Records per poll; under exactly-once each poll is one transaction.")
            .define(MIN_FILE_AGE_MS, Type.LONG, 1_000L, Range.between(0, 3_600_000), Importance.LOW,
                    "Files modified more recently than this are left for a later scan (they may still be written).")
            .define(POLL_INTERVAL_MS, Type.LONG, 1_000L, Range.between(10, 3_600_000), Importance.LOW,
                    "Pause between scans when there is nothing new.");

    public DocumentSourceConfig {
        directories = List.copyOf(directories);
        documentTasks = List.copyOf(documentTasks);
        labels = List.copyOf(labels);
        Objects.requireNonNull(finishedAction, "finishedAction");
        if (directories.isEmpty()) {
            throw new ConfigException(DIRECTORIES, "", "at least one directory is needed");
        }
        if (documentTasks.isEmpty()) {
            throw new ConfigException(DOCUMENT_TASKS, "", "name classify, extract or both");
        }
        if (documentTasks.contains(DocumentTask.CLASSIFY) && labels.isEmpty()) {
            throw new ConfigException(CLASSIFY_LABELS, "", "classifying documents needs labels");
        }
        if (documentTasks.contains(DocumentTask.EXTRACT) && (extractSchema == null || extractSchema.isBlank())) {
            throw new ConfigException(EXTRACT_SCHEMA, "", "extracting from documents needs a JSON Schema");
        }
    }

    public static DocumentSourceConfig parse(Map<String, String> props) {
        var config = new AbstractConfig(CONFIG_DEF, props);
        List<DocumentTask> tasks = config.getList(DOCUMENT_TASKS).stream().map(name -> {
            try {
                return DocumentTask.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(DOCUMENT_TASKS, name, "unknown task (classify or extract)");
            }
        }).distinct().toList();
        return new DocumentSourceConfig(
                config.getList(DIRECTORIES).stream().map(d -> Path.of(d).toAbsolutePath().normalize()).toList(),
                config.getString(TOPIC), config.getString(DEAD_LETTER_TOPIC), config.getString(TENANT), tasks,
                config.getList(CLASSIFY_LABELS), config.getString(CLASSIFY_INSTRUCTION),
                config.getString(EXTRACT_SCHEMA), config.getString(EXTRACT_INSTRUCTION),
                FinishedAction.valueOf(config.getString(FINISHED_ACTION).toUpperCase(Locale.ROOT)),
                config.getLong(MAX_FILE_BYTES), config.getInt(MAX_LINE_BYTES), config.getInt(MAX_RECORDS_PER_POLL),
                Duration.ofMillis(config.getLong(MIN_FILE_AGE_MS)), Duration.ofMillis(config.getLong(POLL_INTERVAL_MS)));
    }
}

package io.bitnetstreams.connectors.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.connectors.converter.AvroConnectData;
import io.bitnetstreams.connectors.source.DocumentSourceConfig.DocumentTask;
import io.bitnetstreams.connectors.source.DocumentSourceConfig.FinishedAction;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestMapper;
import io.bitnetstreams.contract.request.RequestParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the files of its directories in name order and turns them into requests (see {@link DocumentSourceConnector}).
 *
 * <p>Source partition: the file's absolute path. Offset after each record: the file's content hash, how many items
 * (document tasks, or JSONL lines) are consumed, and whether the file is finished. Under exactly-once support the
 * records of a poll and their offsets commit in one transaction, so after a crash a file resumes exactly after the
 * last committed item. A rewritten file (new hash) starts again, with new request ids.
 */
public final class DocumentSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentSourceTask.class);
    static final String PARTITION_FILE = "file";
    static final String OFFSET_SHA = "sha256";
    static final String OFFSET_NEXT = "next";
    static final String OFFSET_DONE = "done";
    static final String OFFSET_FAILED = "failed";
    public static final String STAGE = "connect.document-source";
    private static final int MAX_FILES_PER_SCAN = 10_000;
    private static final int MAX_REMEMBERED_STAMPS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record FileStamp(long size, long modifiedMillis, String sha) {}

    /** One record to be, before its offset is known. */
    private record Item(String topic, String key, Schema schema, Object value) {}

    private final AvroConnectData avro = new AvroConnectData();
    private final Schema requestSchema = avro.toConnectSchema(InferenceRequest.getClassSchema());
    private final Schema deadLetterSchema = avro.toConnectSchema(DeadLetter.getClassSchema());
    private final Map<Path, FileStamp> stamps = new LinkedHashMap<>(16, 0.75f, true);
    /** Offsets emitted by this task and not known to be committed (the offset reader does not see them yet). */
    private final Map<String, Map<String, Object>> emittedOffsets = new HashMap<>();
    /** Finished files whose last record is not committed yet: moved by {@link #commitRecord}. */
    private final Set<String> awaitingCommit = new HashSet<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private DocumentSourceConfig config;
    private DocumentText documents;
    private JsonNode extractSchema;

    @Override
    public String version() {
        return DocumentSourceConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = DocumentSourceConfig.parse(props);
        documents = new DocumentText(RequestParser.MAX_TEXT_CHARS);
        try {
            extractSchema = config.extractSchema() == null ? null : JSON.readTree(config.extractSchema());
        } catch (IOException e) {
            throw new ConnectException("extract.schema is not JSON: " + e.getMessage(), e);
        }
        LOG.info("document source watching {}", config.directories());
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> records = new ArrayList<>();
        for (Path directory : config.directories()) {
            for (Path file : candidates(directory)) {
                if (records.size() >= config.maxRecordsPerPoll() || stopped.getCount() == 0) {
                    return records;
                }
                try {
                    records.addAll(readFile(file, config.maxRecordsPerPoll() - records.size()));
                } catch (IOException e) {
                    // vanished or unreadable between listing and reading: looked at again on the next scan
                    LOG.warn("skipping {} for now: {}", file, e.toString());
                }
            }
        }
        if (records.isEmpty()) {
            stopped.await(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            return null;
        }
        return records;
    }

    private List<Path> candidates(Path directory) {
        long youngest = System.currentTimeMillis() - config.minFileAge().toMillis();
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.limit(MAX_FILES_PER_SCAN)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .filter(file -> DocumentText.isDocument(file) || DocumentText.isRequestFile(file))
                    .filter(Files::isRegularFile)
                    .filter(file -> modifiedMillis(file) <= youngest)
                    .sorted().toList();
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", directory, e.toString());
            return List.of();
        }
    }

    private static long modifiedMillis(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private List<SourceRecord> readFile(Path file, int budget) throws IOException {
        String key = file.toString();
        Map<String, Object> partition = Map.of(PARTITION_FILE, key);
        if (awaitingCommit.contains(key)) {
            return List.of();
        }
        FileStamp stamp = stamp(file);
        Map<String, Object> offset = emittedOffsets.containsKey(key) ? emittedOffsets.get(key)
                : context.offsetStorageReader().offset(partition);
        boolean sameContent = offset != null && stamp.sha().equals(offset.get(OFFSET_SHA));
        if (sameContent && Boolean.TRUE.equals(offset.get(OFFSET_DONE))) {
            // finished earlier (perhaps before a crash that came between the commit and the move)
            finish(file, Boolean.TRUE.equals(offset.get(OFFSET_FAILED)));
            return List.of();
        }
        long next = sameContent ? ((Number) offset.get(OFFSET_NEXT)).longValue() : 0;
        if (stamp.size() > config.maxFileBytes()) {
            return fileFailed(file, partition, stamp, "file of " + stamp.size() + " bytes is larger than "
                    + DocumentSourceConfig.MAX_FILE_BYTES + "=" + config.maxFileBytes(), DeadLetterReason.MALFORMED_RECORD);
        }
        return DocumentText.isRequestFile(file) ? requestLines(file, partition, stamp, next, budget)
                : document(file, partition, stamp, next);
    }

    private List<SourceRecord> document(Path file, Map<String, Object> partition, FileStamp stamp, long next) {
        String text;
        try {
            text = documents.extract(file);
        } catch (DocumentText.UnreadableDocumentException e) {
            return fileFailed(file, partition, stamp, e.getMessage(), DeadLetterReason.MALFORMED_RECORD);
        }
        List<Item> items = new ArrayList<>();
        for (DocumentTask task : config.documentTasks()) {
            String id = documentRequestId(file, stamp.sha(), task);
            ParsedLine parsed = RequestParser.parse(1, documentRequest(id, task, text).toString());
            items.add(switch (parsed) {
                case ParsedLine.Valid valid -> request(id, valid, Map.of("source.path", file.toString(),
                        "source.sha256", stamp.sha(), "source.task", task.name().toLowerCase(java.util.Locale.ROOT)));
                case ParsedLine.Invalid invalid -> deadLetter(file, 0, id, invalid.problem().reason(),
                        DeadLetterReason.INVALID_REQUEST, null);
            });
        }
        List<SourceRecord> records = new ArrayList<>();
        for (int i = (int) next; i < items.size(); i++) {
            records.add(record(partition, stamp, i + 1, i + 1 == items.size(), false, items.get(i)));
        }
        return records;
    }

    /** The request id of a document's task: the same file content at the same path always gets the same id. */
    public static String documentRequestId(Path file, String contentSha, DocumentTask task) {
        String digest = sha256Hex((file.toString() + "\n" + contentSha).getBytes(StandardCharsets.UTF_8));
        return "doc-" + digest.substring(0, 32) + "/" + task.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The document as a request in the JSONL format, so the one request parser validates both kinds of input. */
    private ObjectNode documentRequest(String id, DocumentTask task, String text) {
        ObjectNode request = JSON.createObjectNode().put("id", id).put("text", text);
        switch (task) {
            case CLASSIFY -> {
                request.put("task", "classify");
                config.labels().forEach(request.putArray("labels")::add);
                if (config.classifyInstruction() != null) {
                    request.put("instruction", config.classifyInstruction());
                }
            }
            case EXTRACT -> {
                request.put("task", "extract").set("schema", extractSchema);
                if (config.extractInstruction() != null) {
                    request.put("instruction", config.extractInstruction());
                }
            }
        }
        return request;
    }

    private List<SourceRecord> requestLines(Path file, Map<String, Object> partition, FileStamp stamp, long next,
            int budget) throws IOException {
        List<Item> items = new ArrayList<>();
        List<Long> consumedAfter = new ArrayList<>();
        long index = 0;
        boolean endOfFile;
        try (var lines = new BoundedLineReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                config.maxLineBytes())) {
            while (index < next && lines.skipLine()) {
                index++;
            }
            while (true) {
                BoundedLineReader.Line line = lines.next();
                if (line == null) {
                    endOfFile = true;
                    break;
                }
                index++;
                if (line.text() != null && line.text().isBlank()) {
                    if (!consumedAfter.isEmpty()) {
                        consumedAfter.set(consumedAfter.size() - 1, index);
                    }
                    continue;
                }
                if (items.size() >= budget) {
                    // a request line beyond this poll's budget: the next poll starts here
                    endOfFile = false;
                    break;
                }
                items.add(requestLine(file, (int) index, line));
                consumedAfter.add(index);
            }
        }
        if (items.isEmpty()) {
            return next == 0 ? fileFailed(file, partition, stamp, "no requests in the file", DeadLetterReason.INVALID_REQUEST)
                    : List.of();
        }
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            boolean last = i == items.size() - 1;
            records.add(record(partition, stamp, consumedAfter.get(i), last && endOfFile, false, items.get(i)));
        }
        return records;
    }

    private Item requestLine(Path file, int lineNumber, BoundedLineReader.Line line) {
        if (line.text() == null) {
            return deadLetter(file, lineNumber, null, "line longer than " + config.maxLineBytes() + " bytes",
                    DeadLetterReason.INVALID_REQUEST, null);
        }
        ParsedLine parsed = RequestParser.parse(lineNumber, line.text());
        return switch (parsed) {
            case ParsedLine.Valid valid -> request(valid.id(), valid, Map.of("id", valid.id(), "line",
                    Integer.toString(lineNumber), "source.path", file.toString()));
            case ParsedLine.Invalid invalid -> deadLetter(file, lineNumber, invalid.id(), invalid.problem().reason(),
                    DeadLetterReason.INVALID_REQUEST, line.text().getBytes(StandardCharsets.UTF_8));
        };
    }

    private Item request(String id, ParsedLine.Valid valid, Map<String, String> metadata) {
        InferenceRequest request = RequestMapper.toAvro(id, valid.request(), config.tenant(), Instant.now(), metadata);
        return new Item(config.topic(), id, requestSchema, avro.toConnectData(InferenceRequest.getClassSchema(), request));
    }

    private Item deadLetter(Path file, long item, String requestId, String reason, DeadLetterReason kind, byte[] original) {
        LOG.warn("dead-lettering {}{}: {}", file, item > 0 ? " line " + item : "", reason);
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason(kind)
                .setMessage(file.getFileName() + (item > 0 ? " line " + item : "") + ": " + reason)
                .setOriginalKey(requestId == null ? null : java.nio.ByteBuffer.wrap(requestId.getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(original == null ? null : java.nio.ByteBuffer.wrap(original))
                .setSourceTopic("file:" + file)
                .setSourcePartition(-1)
                .setSourceOffset(item)
                .setStage(STAGE)
                .setRequestId(requestId)
                .setFailedAt(Instant.now())
                .build();
        return new Item(config.deadLetterTopic(), requestId == null ? file.toString() : requestId, deadLetterSchema,
                avro.toConnectData(DeadLetter.getClassSchema(), letter));
    }

    private List<SourceRecord> fileFailed(Path file, Map<String, Object> partition, FileStamp stamp, String reason,
            DeadLetterReason kind) {
        Item letter = deadLetter(file, 0, null, reason, kind, null);
        return List.of(record(partition, stamp, 1, true, true, letter));
    }

    private SourceRecord record(Map<String, Object> partition, FileStamp stamp, long next, boolean done, boolean failed,
            Item item) {
        Map<String, Object> offset = Map.of(OFFSET_SHA, stamp.sha(), OFFSET_NEXT, next, OFFSET_DONE, done,
                OFFSET_FAILED, failed);
        String file = (String) partition.get(PARTITION_FILE);
        emittedOffsets.put(file, offset);
        if (done) {
            awaitingCommit.add(file);
        }
        return new SourceRecord(partition, offset, item.topic(), null, Schema.STRING_SCHEMA, item.key(), item.schema(),
                item.value());
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        Map<String, ?> offset = record.sourceOffset();
        if (Boolean.TRUE.equals(offset.get(OFFSET_DONE))) {
            String file = (String) record.sourcePartition().get(PARTITION_FILE);
            awaitingCommit.remove(file);
            finish(Path.of(file), Boolean.TRUE.equals(offset.get(OFFSET_FAILED)));
        }
    }

    /** After the file's last record is committed: move it out of the way when configured so. */
    private void finish(Path file, boolean failed) {
        if (config.finishedAction() != FinishedAction.MOVE || !Files.exists(file)) {
            return;
        }
        Path target = file.resolveSibling(failed ? DocumentSourceConfig.FAILED_DIR : DocumentSourceConfig.PROCESSED_DIR);
        try {
            Files.createDirectories(target);
            Path destination = target.resolve(file.getFileName());
            if (Files.exists(destination)) {
                FileStamp stamp = stamps.get(file);
                destination = target.resolve(file.getFileName() + "." + (stamp == null ? System.nanoTime() : stamp.sha().substring(0, 12)));
            }
            Files.move(file, destination, StandardCopyOption.ATOMIC_MOVE);
            stamps.remove(file);
            emittedOffsets.remove(file.toString());
            LOG.info("{} -> {}", file, destination);
        } catch (IOException e) {
            LOG.warn("cannot move {} to {}: {} (it stays; its offset says it is finished)", file, target, e.toString());
        }
    }

    private FileStamp stamp(Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        FileStamp known = stamps.get(file);
        if (known != null && known.size() == size && known.modifiedMillis() == modified) {
            return known;
        }
        FileStamp stamp = new FileStamp(size, modified, size > config.maxFileBytes() ? "oversized-" + size + "-" + modified
                : sha256Hex(file));
        if (stamps.size() >= MAX_REMEMBERED_STAMPS) {
            stamps.remove(stamps.keySet().iterator().next());
        }
        stamps.put(file, stamp);
        return stamp;
    }

    private static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void stop() {
        stopped.countDown();
    }
}

package io.bitnetstreams.connectors.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.connectors.source.DocumentSourceConfig.DocumentTask;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentSourceTaskTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"number\"}}}";

    @TempDir
    Path inbox;

    /** The offsets Connect would have committed: what a restarted task reads back. */
    private final Map<Map<String, Object>, Map<String, Object>> committed = new HashMap<>();

    @Test
    void everyKindOfFileBecomesRequestsOrADeadLetterWithItsReason() throws Exception {
        Files.writeString(inbox.resolve("a.txt"), "I was charged twice for my order");
        Files.writeString(inbox.resolve("b.md"), "# Quarterly report\n\nRevenue grew.");
        Files.writeString(inbox.resolve("c.html"), "<html><body><p>Dear customer, your parcel shipped.</p></body></html>");
        writePdf(inbox.resolve("d.pdf"), "Invoice 12 total 40 EUR");
        writeDocx(inbox.resolve("e.docx"), "Meeting notes about the budget");
        Files.write(inbox.resolve("f.pdf"), "%PDF-1.4 not a pdf at all".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(inbox.resolve("g.jsonl"), String.join("\n",
                "{\"id\": \"j-1\", \"task\": \"classify\", \"text\": \"hello\", \"labels\": [\"x\", \"y\"]}",
                "",
                "{\"id\": \"j-2\", \"task\": \"extract\", \"text\": \"Total 5\", \"schema\": " + SCHEMA + "}",
                "not json",
                "{\"id\": \"j-3\", \"task\": \"classify\", \"text\": \"no labels\"}",
                "x".repeat(300),
                "{\"id\": \"j-4\", \"task\": \"generate\", \"prompt\": \"Write a haiku\"}", ""));
        Files.write(inbox.resolve("h.txt"), new byte[5000]); // too large for max.file.bytes=4096
        Files.writeString(inbox.resolve("ignored.csv"), "a,b");

        DocumentSourceTask task = startTask(Map.of("document.tasks", "classify,extract", "max.file.bytes", "4096"));
        List<SourceRecord> records = pollAll(task);

        Map<String, List<SourceRecord>> byTopic = records.stream().collect(Collectors.groupingBy(SourceRecord::topic));
        List<String> requestIds = byTopic.get("requests").stream().map(r -> (String) r.key()).toList();
        assertThat(requestIds).hasSize(5 * 2 + 3).contains("j-1", "j-2", "j-4")
                .contains(DocumentSourceTask.documentRequestId(inbox.resolve("a.txt"), sha("a.txt"), DocumentTask.CLASSIFY),
                        DocumentSourceTask.documentRequestId(inbox.resolve("a.txt"), sha("a.txt"), DocumentTask.EXTRACT));
        Struct pdfRequest = (Struct) byTopic.get("requests").stream()
                .filter(r -> r.key().equals(DocumentSourceTask.documentRequestId(inbox.resolve("d.pdf"), sha("d.pdf"),
                        DocumentTask.EXTRACT))).findFirst().orElseThrow().value();
        assertThat(pdfRequest.getString("text")).contains("Invoice 12 total 40 EUR");
        assertThat(pdfRequest.getStruct("task").getStruct("ExtractTask").getString("jsonSchema")).isEqualTo(SCHEMA);
        assertThat(pdfRequest.getMap("metadata")).containsEntry("source.path", inbox.resolve("d.pdf").toString());
        Struct docx = (Struct) byTopic.get("requests").stream()
                .filter(r -> r.key().equals(DocumentSourceTask.documentRequestId(inbox.resolve("e.docx"), sha("e.docx"),
                        DocumentTask.CLASSIFY))).findFirst().orElseThrow().value();
        assertThat(docx.getString("text")).isEqualTo("Meeting notes about the budget");
        assertThat(((Struct) byTopic.get("requests").stream().filter(r -> r.key().equals(
                DocumentSourceTask.documentRequestId(inbox.resolve("c.html"), sha("c.html"), DocumentTask.CLASSIFY)))
                .findFirst().orElseThrow().value()).getString("text")).isEqualTo("Dear customer, your parcel shipped.");

        List<String> reasons = byTopic.get("dlq").stream().map(r -> ((Struct) r.value()).getString("message")).toList();
        assertThat(reasons).hasSize(5).anySatisfy(m -> assertThat(m).startsWith("f.pdf: cannot parse"))
                .anySatisfy(m -> assertThat(m).startsWith("h.txt: file of 5000 bytes is larger than max.file.bytes=4096"))
                .anySatisfy(m -> assertThat(m).startsWith("g.jsonl line 4: not valid JSON"))
                .anySatisfy(m -> assertThat(m).startsWith("g.jsonl line 5: classify needs \"labels\""))
                .anySatisfy(m -> assertThat(m).startsWith("g.jsonl line 6: line longer than 256 bytes"));
        Struct badLine = (Struct) byTopic.get("dlq").stream().filter(r -> ((Struct) r.value()).getString("message")
                .contains("line 4")).findFirst().orElseThrow().value();
        assertThat(new String(badLine.getBytes("originalValue"), StandardCharsets.UTF_8)).isEqualTo("not json");

        // a restart with the committed offsets reads nothing again
        commitAll(task, records);
        assertThat(pollAll(startTask(Map.of("document.tasks", "classify,extract", "max.file.bytes", "4096")))).isEmpty();
    }

    @Test
    void aRequestFileResumesAfterTheLastCommittedLineAndFinishedFilesMove() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            lines.append("{\"id\": \"r-").append(i).append("\", \"task\": \"classify\", \"text\": \"t\", \"labels\": [\"a\", \"b\"]}\n");
        }
        Files.writeString(inbox.resolve("batch.jsonl"), lines);
        Files.writeString(inbox.resolve("z.txt"), "hello");
        Files.writeString(inbox.resolve("empty.txt"), " ");
        Map<String, String> settings = Map.of("max.records.per.poll", "5", "finished.action", "move");

        DocumentSourceTask first = startTask(settings);
        List<SourceRecord> firstPoll = first.poll();
        assertThat(firstPoll).extracting(r -> (String) r.key()).containsExactly("r-0", "r-1", "r-2", "r-3", "r-4");
        commitAll(first, firstPoll);
        List<SourceRecord> lost = first.poll(); // produced, never committed: the worker dies here
        assertThat(lost).extracting(r -> (String) r.key()).containsExactly("r-5", "r-6", "r-7", "r-8", "r-9");
        first.stop();

        DocumentSourceTask second = startTask(settings);
        List<SourceRecord> rest = pollAll(second);
        assertThat(rest.stream().filter(r -> r.topic().equals("requests")).map(r -> (String) r.key()))
                .containsExactly("r-5", "r-6", "r-7", "r-8", "r-9", "r-10", "r-11",
                        DocumentSourceTask.documentRequestId(inbox.resolve("z.txt"), sha("z.txt"), DocumentTask.CLASSIFY));
        assertThat(Files.exists(inbox.resolve("batch.jsonl"))).as("moved only once committed").isTrue();
        commitAll(second, rest);
        assertThat(names(inbox.resolve("processed"))).containsExactly("batch.jsonl", "z.txt");
        assertThat(names(inbox.resolve("failed"))).containsExactly("empty.txt");
        assertThat(names(inbox)).containsExactlyInAnyOrder("failed", "processed");
    }

    @Test
    void theSameContentAtTheSamePathAlwaysGetsTheSameIdAndNewContentANewOne() {
        Path file = Path.of("/data/in/a.pdf");
        String id = DocumentSourceTask.documentRequestId(file, "aa", DocumentTask.CLASSIFY);
        assertThat(DocumentSourceTask.documentRequestId(file, "aa", DocumentTask.CLASSIFY)).isEqualTo(id);
        assertThat(DocumentSourceTask.documentRequestId(file, "ab", DocumentTask.CLASSIFY)).isNotEqualTo(id);
        assertThat(DocumentSourceTask.documentRequestId(Path.of("/data/in/b.pdf"), "aa", DocumentTask.CLASSIFY)).isNotEqualTo(id);
        assertThat(id).matches("doc-[0-9a-f]{32}/classify");
    }

    private DocumentSourceTask startTask(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of("directories", inbox.toString(), "topic", "requests",
                "dead.letter.topic", "dlq", "classify.labels", "billing,shipping,other", "extract.schema", SCHEMA,
                "min.file.age.ms", "0", "poll.interval.ms", "10", "max.line.bytes", "256"));
        props.putAll(overrides);
        var task = new DocumentSourceTask();
        task.initialize(new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return props;
            }

            @Override
            public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
                throw new UnsupportedOperationException("no metrics in this test");
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return committed.get(new HashMap<String, Object>(partition));
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        throw new UnsupportedOperationException();
                    }
                };
            }
        });
        task.start(props);
        return task;
    }

    private static List<SourceRecord> pollAll(DocumentSourceTask task) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        List<SourceRecord> batch;
        while ((batch = task.poll()) != null) {
            all.addAll(batch);
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private void commitAll(DocumentSourceTask task, List<SourceRecord> records) {
        for (SourceRecord record : records) {
            committed.put((Map<String, Object>) record.sourcePartition(), (Map<String, Object>) record.sourceOffset());
            task.commitRecord(record, null);
        }
    }

    private String sha(String name) {
        try {
            return DocumentSourceTask.sha256Hex(Files.readAllBytes(inbox.resolve(name)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void writePdf(Path file, String text) throws IOException {
        try (var document = new PDDocument()) {
            var page = new PDPage();
            document.addPage(page);
            try (var content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(50, 700);
                content.showText(text);
                content.endText();
            }
            document.save(file.toFile());
        }
    }

    private static void writeDocx(Path file, String text) throws IOException {
        try (var document = new XWPFDocument(); OutputStream out = Files.newOutputStream(file)) {
            document.createParagraph().createRun().setText(text);
            document.write(out);
        }
    }
}

package io.bitnetstreams.connectors.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.connectors.source.DocumentSourceConfig.DocumentTask;
import io.bitnetstreams.connectors.source.DocumentSourceTask;
import io.bitnetstreams.devstack.junit.SchemaRegistryExtension;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.topology.app.TopologyApp;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 inputs (text files, PDFs, JSONL request lines, corrupt files) go from a folder through a real Kafka Connect
 * worker (distributed mode, child JVM, exactly-once source) running our document source and Debezium's JDBC sink,
 * the real topology and a deterministic test executor (standing in for the inference workers, to keep CI time
 * bounded), into PostgreSQL rows (classifications, and typed extraction rows with one column per field); the Connect
 * worker is killed with SIGKILL in the middle and started again. Every
 * valid input must end as exactly one row, and every request on the requests topic exactly once.
 */
@WithKafka
class FolderToPostgresIT {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FolderToPostgresIT.class);

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(
            SchemaRegistryConfig.builder().startupTimeout(Duration.ofMinutes(4)).build());

    private static final List<String> LABELS = List.of("invoice", "letter", "report");
    private static final int TEXT_FILES = 150;
    private static final int PDF_FILES = 25;
    private static final int JSONL_FILES = 2;
    private static final int LINES_PER_JSONL = 10; // one of them invalid
    private static final int CORRUPT_FILES = 5;
    private static final String TABLE = "bitnet_classification";
    private static final String TYPED_TABLE = "bitnet_extraction";
    private static final String TYPED_TOPIC = "bitnet.results.extraction.typed";
    private static final String EXTRACT_SCHEMA = "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"},"
            + "\"words\":{\"type\":\"integer\"},\"is_long\":{\"type\":\"boolean\"}}}";

    @TempDir
    Path work;

    @Test
    void everyDocumentBecomesExactlyOneRowAcrossAWorkerCrash(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry)
            throws Exception {
        TestPostgres.unavailableReason().ifPresent(reason -> Assumptions.abort(reason));
        String database = TestPostgres.createDatabase("bitnet_it_" + Long.toHexString(System.nanoTime()));
        try {
            run(kafka, registry, database);
        } finally {
            TestPostgres.dropDatabase(database);
        }
    }

    private void run(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, String database) throws Exception {
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        Expected expected = writeInputs(inbox);
        assertThat(expected.inputs()).isEqualTo(200);

        Map<String, String> topologySettings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "bitnet.http.port", "0",
                "bitnet.chunk.tokens", "4096",
                "bitnet.chunk.overlap", "16",
                "bitnet.context.tokens", "8192",
                "state.dir", work.resolve("streams").toString(),
                "commit.interval.ms", "100"));
        topologySettings.put(TopologyConfig.TYPED_EXTRACTION_TOPIC, TYPED_TOPIC);
        TopologyConfig topologyConfig = TopologyConfig.fromMap(topologySettings);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url());
        var names = topologyConfig.topics();

        Map<String, String> worker = workerProps(kafka, registry);
        // worker logs stay in target/ for a look after a failure
        Path connectDir = Path.of("target", "it-connect-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
        try (TopologyApp topology = TopologyApp.start(topologyConfig, Llama3Tokenizer.create(Vocabulary.byteLevel(), null));
             TestExecutor executor = new TestExecutor(kafka.readCommittedConsumerConfig("test-executor"),
                     kafka.producerConfig(), serdeConfig, List.of(names.workClassify(), names.workExtract()),
                     names.workResults())) {
            int committedAtKill;
            try (ConnectWorkerProcess first = ConnectWorkerProcess.start(worker, connectDir, "worker-1")) {
                assertThat(first.put("/connectors/documents/config", sourceConfig(inbox, names.requests(),
                        names.deadLetters())).statusCode()).isIn(200, 201);
                assertThat(first.put("/connectors/classification-rows/config", jdbcSinkConfig(database,
                        names.classificationResults(), TABLE)).statusCode()).isIn(200, 201);
                assertThat(first.put("/connectors/extraction-rows/config", jdbcSinkConfig(database, TYPED_TOPIC,
                        TYPED_TABLE)).statusCode()).isIn(200, 201);
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                        .until(() -> requestKeys(kafka, names.requests()).size() >= 40);
                first.kill();
                committedAtKill = requestKeys(kafka, names.requests()).size();
            }
            LOG.info("Connect worker killed with {} of {} requests committed", committedAtKill, expected.requestIds.size());
            assertThat(committedAtKill).as("the worker died in the middle of the folder").isLessThan(expected.requestIds.size());

            try (ConnectWorkerProcess second = ConnectWorkerProcess.start(worker, connectDir, "worker-2")) {
                await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            assertThat(rowIds(database, TABLE)).hasSize(expected.labels.size());
                            assertThat(rowIds(database, TYPED_TABLE)).hasSize(expected.extractions.size());
                        });

                assertThat(rowIds(database, TABLE)).isEqualTo(expected.labels.keySet());
                assertThat(extractionsInDatabase(database)).isEqualTo(expected.extractions);
                List<String> keys = requestKeys(kafka, names.requests());
                assertThat(keys).as("every request exactly once on the requests topic (read_committed)")
                        .hasSize(expected.requestIds.size()).doesNotHaveDuplicates();
                assertThat(new TreeSet<>(keys)).isEqualTo(expected.requestIds);
                assertThat(labelsInDatabase(database)).isEqualTo(expected.labels);
                assertThat(sourceDeadLetters(kafka, names.deadLetters(), serdeConfig))
                        .as("one dead letter per corrupt file and invalid line").hasSize(expected.deadLetters);
                await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                    assertThat(listNames(inbox.resolve("failed"))).hasSize(CORRUPT_FILES);
                    assertThat(listNames(inbox.resolve("processed"))).hasSize(TEXT_FILES + PDF_FILES + JSONL_FILES);
                });
            }
        }
    }

    private Map<String, String> workerProps(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) {
        Path plugins = Path.of("target", "plugin").toAbsolutePath();
        Path debezium = Path.of("target", "connect-plugins").toAbsolutePath();
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "it-connect");
        props.put("config.storage.topic", "it-connect-configs");
        props.put("offset.storage.topic", "it-connect-offsets");
        props.put("status.storage.topic", "it-connect-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("value.converter", "io.bitnetstreams.connectors.converter.BitnetAvroConverter");
        props.put("value.converter.schema.registry.url", registry.url());
        props.put("exactly.once.source.support", "enabled");
        props.put("consumer.isolation.level", "read_committed");
        props.put("plugin.path", plugins + "," + debezium);
        // our plugin and Debezium's declare their classes in META-INF/services: no slow classpath scan
        props.put("plugin.discovery", "service_load");
        props.put("offset.flush.interval.ms", "1000");
        props.put("scheduled.rebalance.max.delay.ms", "1000");
        props.put("session.timeout.ms", "6000");
        props.put("heartbeat.interval.ms", "1000");
        return props;
    }

    private static String sourceConfig(Path inbox, String requestsTopic, String deadLetterTopic) throws IOException {
        Map<String, String> config = new TreeMap<>();
        config.put("connector.class", "io.bitnetstreams.connectors.source.DocumentSourceConnector");
        config.put("tasks.max", "1");
        config.put("directories", inbox.toString());
        config.put("topic", requestsTopic);
        config.put("dead.letter.topic", deadLetterTopic);
        config.put("document.tasks", "classify");
        config.put("classify.labels", String.join(",", LABELS));
        config.put("finished.action", "move");
        config.put("max.records.per.poll", "5");
        config.put("min.file.age.ms", "0");
        config.put("poll.interval.ms", "200");
        config.put("exactly.once.support", "required");
        config.put("transaction.boundary", "poll");
        return new ObjectMapper().writeValueAsString(config);
    }

    private static String jdbcSinkConfig(String database, String topic, String table) throws IOException {
        Map<String, String> config = new TreeMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("connection.url", TestPostgres.HOST_URL + database);
        config.put("connection.username", TestPostgres.USER);
        config.put("connection.password", TestPostgres.PASSWORD);
        config.put("insert.mode", "upsert");
        config.put("primary.key.mode", "record_value");
        config.put("primary.key.fields", "request_id");
        config.put("schema.evolution", "basic");
        config.put("collection.name.format", table);
        config.put("transforms", "row");
        config.put("transforms.row.type", "io.bitnetstreams.connectors.transforms.ResultRow");
        config.put("transforms.row.drop", "metadata,output_log_likelihoods");
        return new ObjectMapper().writeValueAsString(config);
    }

    /** What the folder should turn into. */
    static final class Expected {
        final Set<String> requestIds = new TreeSet<>();
        final Map<String, String> labels = new TreeMap<>();
        final Map<String, String> extractions = new TreeMap<>();
        int deadLetters;
        int files;
        int requestLines;

        int inputs() {
            return files - JSONL_FILES + requestLines;
        }
    }

    private static Expected writeInputs(Path inbox) throws IOException {
        var expected = new Expected();
        Random random = new Random(16);
        String[] words = {"total", "amount", "dear", "sincerely", "quarterly", "results", "shipping", "payment",
                "summary", "figures", "regards", "invoice", "balance", "growth", "customer", "order"};
        for (int i = 0; i < TEXT_FILES; i++) {
            String text = sentence(random, words, 12 + random.nextInt(60));
            Path file = inbox.resolve("note-%03d.txt".formatted(i));
            Files.writeString(file, text);
            expectDocument(expected, file, text);
        }
        for (int i = 0; i < PDF_FILES; i++) {
            String text = sentence(random, words, 5 + random.nextInt(6));
            Path file = inbox.resolve("scan-%03d.pdf".formatted(i));
            writePdf(file, text);
            expectDocument(expected, file, text);
        }
        for (int f = 0; f < JSONL_FILES; f++) {
            StringBuilder lines = new StringBuilder();
            for (int line = 0; line < LINES_PER_JSONL; line++) {
                if (line == 4) {
                    lines.append("{\"id\": \"broken-").append(f).append("\", \"task\": \"classify\", \"text\": \"no labels\"}\n");
                    expected.deadLetters++;
                } else {
                    String id = "jsonl-" + f + "-" + line;
                    String text = sentence(random, words, 8 + random.nextInt(10));
                    if (line % 2 == 0) {
                        lines.append(new ObjectMapper().writeValueAsString(Map.of("id", id, "task", "classify",
                                "text", text, "labels", LABELS))).append('\n');
                        expected.labels.put(id, TestExecutor.label(text, LABELS));
                    } else {
                        lines.append(new ObjectMapper().writeValueAsString(Map.of("id", id, "task", "extract",
                                "text", text, "schema", new ObjectMapper().readTree(EXTRACT_SCHEMA)))).append('\n');
                        expected.extractions.put(id, typedRow(TestExecutor.extraction(text)));
                    }
                    expected.requestIds.add(id);
                }
                expected.requestLines++;
            }
            Files.writeString(inbox.resolve("batch-" + f + ".jsonl"), lines);
            expected.files++;
        }
        Files.write(inbox.resolve("corrupt-1.pdf"), "%PDF-1.7 this is not really a pdf".getBytes(StandardCharsets.US_ASCII));
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        Files.write(inbox.resolve("corrupt-2.pdf"), noise);
        Files.write(inbox.resolve("corrupt-3.docx"), noise);
        Files.writeString(inbox.resolve("empty.txt"), "   \n");
        Files.writeString(inbox.resolve("empty.jsonl"), "\n\n");
        expected.files += CORRUPT_FILES;
        expected.deadLetters += CORRUPT_FILES;
        return expected;
    }

    private static void expectDocument(Expected expected, Path file, String text) throws IOException {
        String id = DocumentSourceTask.documentRequestId(file.toAbsolutePath().normalize(), sha256(file),
                DocumentTask.CLASSIFY);
        expected.requestIds.add(id);
        expected.labels.put(id, TestExecutor.label(text.strip(), LABELS));
        expected.files++;
    }

    private static String sentence(Random random, String[] words, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
        }
        return text.toString();
    }

    private static void writePdf(Path file, String text) throws IOException {
        try (var document = new PDDocument()) {
            var page = new PDPage();
            document.addPage(page);
            try (var content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
                content.newLineAtOffset(50, 700);
                content.showText(text);
                content.endText();
            }
            document.save(file.toFile());
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys of the requests topic as a read_committed consumer sees them: aborted transactions never show. */
    private static List<String> requestKeys(EmbeddedKafkaCluster kafka, String topic) {
        List<String> keys = new ArrayList<>();
        Map<String, Object> config = new HashMap<>(kafka.readCommittedConsumerConfig("it-reader-" + System.nanoTime()));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> keys.add(record.key()));
            }
        }
        return keys;
    }

    private static List<DeadLetter> sourceDeadLetters(EmbeddedKafkaCluster kafka, String topic,
            Map<String, Object> serdeConfig) {
        var deserializer = new AvroDeserializer<>(DeadLetter.class);
        deserializer.configure(serdeConfig, false);
        List<DeadLetter> letters = new ArrayList<>();
        Map<String, Object> config = new HashMap<>(kafka.readCommittedConsumerConfig("it-dlq-" + System.nanoTime()));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    DeadLetter letter = deserializer.deserialize(topic, record.value());
                    if (DocumentSourceTask.STAGE.equals(letter.getStage())) {
                        letters.add(letter);
                    }
                });
            }
        }
        return letters;
    }

    /** The typed row the test executor's extraction should become: "title|words|is_long". */
    private static String typedRow(String json) throws IOException {
        var node = new ObjectMapper().readTree(json);
        return node.get("title").asText() + "|" + node.get("words").asLong() + "|" + node.get("is_long").asBoolean();
    }

    private static Map<String, String> extractionsInDatabase(String database) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection connection = TestPostgres.connect(database); var statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT request_id, title, words, is_long, status FROM " + TYPED_TABLE)) {
            while (result.next()) {
                assertThat(result.getString(5)).isEqualTo("DONE");
                // typed columns: text, bigint, boolean (not a JSON string)
                rows.put(result.getString(1), result.getString(2) + "|" + result.getLong(3) + "|" + result.getBoolean(4));
            }
        }
        return rows;
    }

    private static Set<String> rowIds(String database, String table) throws SQLException {
        Set<String> ids = new TreeSet<>();
        try (Connection connection = TestPostgres.connect(database); var statement = connection.createStatement()) {
            if (!tableExists(connection, table)) {
                return ids;
            }
            try (ResultSet rows = statement.executeQuery("SELECT request_id FROM " + table)) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    private static Map<String, String> labelsInDatabase(String database) throws SQLException {
        Map<String, String> labels = new TreeMap<>();
        try (Connection connection = TestPostgres.connect(database); var statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT request_id, output_argmax, status, latency_ms FROM " + TABLE)) {
            while (rows.next()) {
                assertThat(rows.getString(3)).isEqualTo("DONE");
                assertThat(rows.getLong(4)).isNotNegative();
                labels.put(rows.getString(1), rows.getString(2));
            }
        }
        return labels;
    }

    private static boolean tableExists(Connection connection, String table) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
            return tables.next();
        }
    }

    private static List<String> listNames(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

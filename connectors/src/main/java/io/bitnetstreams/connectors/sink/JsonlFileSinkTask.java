package io.bitnetstreams.connectors.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.connectors.transforms.ConnectJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** See {@link JsonlFileSinkConnector}. Lines are {@code {"id": KEY, "topic": T, "value": {...}}}. */
public final class JsonlFileSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(JsonlFileSinkTask.class);

    private JsonlFileSinkConfig config;
    private final Map<String, String> lines = new LinkedHashMap<>();
    private boolean dirty;

    @Override
    public String version() {
        return io.bitnetstreams.connectors.source.DocumentSourceConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = JsonlFileSinkConfig.parse(props);
        lines.clear();
        if (Files.exists(config.file())) {
            load(config.file());
        }
    }

    private void load(Path file) {
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = ConnectJson.MAPPER.readTree(line);
                remember(node.path("id").asText(), line);
            }
        } catch (IOException e) {
            throw new ConnectException("cannot read the existing " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            if (record.key() == null) {
                throw new ConnectException("record without key (request id) at " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset());
            }
            String id = record.key().toString();
            if (record.value() == null) {
                dirty |= lines.remove(id) != null;
                continue;
            }
            ObjectNode line = ConnectJson.MAPPER.createObjectNode().put("id", id).put("topic", record.topic());
            line.set("value", ConnectJson.toJson(record.value()));
            String text = line.toString();
            dirty |= !text.equals(lines.get(id));
            remember(id, text);
        }
    }

    private void remember(String id, String line) {
        if (!lines.containsKey(id) && lines.size() >= config.maxRecords()) {
            throw new ConnectException(config.file() + " already holds " + config.maxRecords() + " request ids ("
                    + JsonlFileSinkConfig.MAX_RECORDS + "); use a database sink for more");
        }
        lines.put(id, line);
    }

    /** Called before offsets are committed: the file must hold everything put so far. */
    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (!dirty) {
            return;
        }
        Path file = config.file();
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
            try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                for (String line : lines.values()) {
                    out.write(line);
                    out.write('\n');
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dirty = false;
            LOG.debug("wrote {} lines to {}", lines.size(), file);
        } catch (IOException e) {
            throw new ConnectException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        lines.clear();
    }
}

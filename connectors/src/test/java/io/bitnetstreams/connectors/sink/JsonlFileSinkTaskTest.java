package io.bitnetstreams.connectors.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlFileSinkTaskTest {

    private static final Schema VALUE = SchemaBuilder.struct().name("Result")
            .field("label", Schema.STRING_SCHEMA).field("p", Schema.FLOAT64_SCHEMA).build();

    @TempDir
    Path dir;

    @Test
    void aReplayNeverDuplicatesALineAndAnUpdateReplacesIt() throws Exception {
        Path file = dir.resolve("out/results.jsonl");
        var task = start(file, 100);
        List<SinkRecord> batch = List.of(record("a", "billing", 0), record("b", "other", 1));
        task.put(batch);
        task.flush(Map.of());
        task.put(batch); // redelivered after a crash before the offset commit
        task.put(List.of(record("b", "shipping", 2)));
        task.flush(Map.of());
        assertThat(Files.readAllLines(file)).containsExactly(
                "{\"id\":\"a\",\"topic\":\"results\",\"value\":{\"label\":\"billing\",\"p\":0.5}}",
                "{\"id\":\"b\",\"topic\":\"results\",\"value\":{\"label\":\"shipping\",\"p\":0.5}}");

        // a new task (restart) starts from the file and keeps upserting
        var restarted = start(file, 100);
        restarted.put(List.of(record("a", "billing", 0), record("c", "other", 3)));
        restarted.flush(Map.of());
        assertThat(Files.readAllLines(file)).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"id\":"));
        assertThat(Files.list(dir.resolve("out"))).as("no temporary file left").hasSize(1);
    }

    @Test
    void moreIdsThanTheBoundFailWithAClearError() {
        var task = start(dir.resolve("r.jsonl"), 2);
        task.put(List.of(record("a", "x", 0), record("b", "x", 1)));
        assertThatThrownBy(() -> task.put(List.of(record("c", "x", 2)))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("max.records");
    }

    private static JsonlFileSinkTask start(Path file, int maxRecords) {
        var task = new JsonlFileSinkTask();
        task.start(Map.of("file", file.toString(), "max.records", Integer.toString(maxRecords)));
        return task;
    }

    private static SinkRecord record(String id, String label, long offset) {
        return new SinkRecord("results", 0, Schema.STRING_SCHEMA, id, VALUE,
                new Struct(VALUE).put("label", label).put("p", 0.5), offset);
    }
}

package io.bitnetstreams.connectors.sink;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes result records to one JSONL file, one line per request id, for users without a database. The file is an
 * upsert view: a replayed or updated result replaces its line (keyed by the record key, the request id), so a replay
 * never duplicates a line. Kafka's FileStreamSink appends at most once; this sink rewrites the file atomically
 * (temporary file + rename) at each offset commit, so what the file holds always matches committed offsets.
 * One task per file: {@code tasks.max} must be 1.
 */
public final class JsonlFileSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        JsonlFileSinkConfig.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return JsonlFileSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        if (maxTasks < 1) {
            throw new ConnectException("tasks.max must be at least 1");
        }
        // one writer per file: more tasks would overwrite each other's view
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return JsonlFileSinkConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return io.bitnetstreams.connectors.source.DocumentSourceConnector.VERSION;
    }
}

package io.bitnetstreams.connectors.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source of inference requests from directories of files.
 *
 * <ul>
 *   <li>{@code .txt .md .html .htm .pdf .docx}: the document's text (Apache Tika) becomes one request per configured
 *       document task ({@code classify} with {@code classify.labels}, {@code extract} with {@code extract.schema}).
 *       The request id is derived from the file's path and content hash: re-reading never makes a new request.</li>
 *   <li>{@code .jsonl}: one ready-made request per line, in the format of {@code bitnet-streams standalone --input},
 *       validated by the same parser.</li>
 *   <li>Unreadable or oversized files, invalid lines: {@code DeadLetter} records on {@code dead.letter.topic} with
 *       the reason; the other files continue.</li>
 * </ul>
 * Exactly-once source support (KIP-618): records and file offsets of each poll commit in one transaction when the
 * worker runs with {@code exactly.once.source.support=enabled}.
 */
public final class DocumentSourceConnector extends SourceConnector {

    public static final String VERSION = "0.1.0";
    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        DocumentSourceConfig.parse(props);
        this.props = Map.copyOf(props);
    }

    /** Directories are shared out among at most {@code maxTasks} tasks; a directory belongs to one task. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Path> directories = DocumentSourceConfig.parse(props).directories();
        int tasks = Math.min(maxTasks, directories.size());
        List<Map<String, String>> configs = new ArrayList<>();
        for (int task = 0; task < tasks; task++) {
            List<String> mine = new ArrayList<>();
            for (int d = task; d < directories.size(); d += tasks) {
                mine.add(directories.get(d).toString());
            }
            Map<String, String> config = new HashMap<>(props);
            config.put(DocumentSourceConfig.DIRECTORIES, String.join(",", mine));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** Every poll is a transaction; the connector needs no boundaries of its own. */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.UNSUPPORTED;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DocumentSourceTask.class;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return DocumentSourceConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return VERSION;
    }
}

package io.bitnetstreams.connectors.sink;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings of {@link JsonlFileSinkConnector}.
 *
 * @param file       the JSONL file (created with its directory when missing)
 * @param maxRecords most distinct request ids kept; more fail the task with a clear error rather than grow unbounded
 */
public record JsonlFileSinkConfig(Path file, int maxRecords) {

    public static final String FILE = "file";
    public static final String MAX_RECORDS = "max.records";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(FILE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "The JSONL file to keep up to date.")
            .define(MAX_RECORDS, Type.INT, 200_000, Range.between(1, 5_000_000), Importance.MEDIUM,
                    "Most distinct request ids the file holds (the task keeps them in memory).");

    public static JsonlFileSinkConfig parse(Map<String, String> props) {
        var config = new AbstractConfig(CONFIG_DEF, props);
        return new JsonlFileSinkConfig(Path.of(config.getString(FILE)).toAbsolutePath(), config.getInt(MAX_RECORDS));
    }
}

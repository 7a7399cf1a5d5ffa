package io.bitnetstreams.connectors.transforms;

import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Turns a result record's value into one flat table row for JDBC sinks: nested structs become columns joined with
 * {@code _}, field names become snake_case ({@code requestId} -> {@code request_id}), maps and arrays become JSON
 * text (e.g. {@code output_probabilities = {"billing":0.91,...}}), and when the value has {@code createdAt} and
 * {@code completedAt} timestamps a {@code latency_ms} column is added. {@code drop} names columns to leave out.
 */
public final class ResultRow<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String DROP = "drop";
    public static final String LATENCY_COLUMN = "latency_ms";
    private static final ConfigDef CONFIG = new ConfigDef()
            .define(DROP, ConfigDef.Type.LIST, "", ConfigDef.Importance.MEDIUM, "Columns (after renaming) to leave out.");
    private static final int MAX_CACHED_SCHEMAS = 256;

    private final Map<Schema, Schema> rowSchemas = new ConcurrentHashMap<>();
    private Set<String> drop = Set.of();

    @Override
    public void configure(Map<String, ?> configs) {
        drop = new HashSet<>(new AbstractConfig(CONFIG, configs).getList(DROP));
    }

    @Override
    public R apply(R record) {
        if (record.value() == null) {
            return record;
        }
        if (!(record.value() instanceof Struct value)) {
            throw new DataException("ResultRow needs a struct value with a schema, got " + record.value().getClass().getSimpleName());
        }
        if (rowSchemas.size() > MAX_CACHED_SCHEMAS) {
            rowSchemas.clear();
        }
        Schema rowSchema = rowSchemas.computeIfAbsent(value.schema(), this::rowSchema);
        Struct row = new Struct(rowSchema);
        Map<String, Object> columns = new LinkedHashMap<>();
        flatten("", value, columns);
        columns.forEach((column, v) -> {
            if (rowSchema.field(column) != null) {
                row.put(column, v);
            }
        });
        if (rowSchema.field(LATENCY_COLUMN) != null && value.get("createdAt") instanceof Date created
                && value.get("completedAt") instanceof Date completed) {
            row.put(LATENCY_COLUMN, completed.getTime() - created.getTime());
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), rowSchema,
                row, record.timestamp());
    }

    private Schema rowSchema(Schema value) {
        SchemaBuilder builder = SchemaBuilder.struct().name(value.name() == null ? "row" : value.name() + "Row");
        addColumns("", value, false, builder);
        if (value.field("createdAt") != null && value.field("completedAt") != null && !drop.contains(LATENCY_COLUMN)) {
            builder.field(LATENCY_COLUMN, Schema.OPTIONAL_INT64_SCHEMA);
        }
        return builder.build();
    }

    private void addColumns(String prefix, Schema struct, boolean parentOptional, SchemaBuilder builder) {
        for (Field field : struct.fields()) {
            String column = prefix + snakeCase(field.name());
            Schema schema = field.schema();
            boolean optional = parentOptional || schema.isOptional();
            if (schema.type() == Schema.Type.STRUCT) {
                addColumns(column + "_", schema, optional, builder);
            } else if (!drop.contains(column)) {
                builder.field(column, columnSchema(schema, optional));
            }
        }
    }

    private static Schema columnSchema(Schema schema, boolean optional) {
        SchemaBuilder column = switch (schema.type()) {
            case MAP, ARRAY -> SchemaBuilder.string();
            default -> {
                SchemaBuilder copy = SchemaBuilder.type(schema.type()).name(schema.name()).version(schema.version());
                if (schema.parameters() != null) {
                    copy.parameters(schema.parameters());
                }
                yield copy;
            }
        };
        return (optional ? column.optional() : column).build();
    }

    private static void flatten(String prefix, Struct struct, Map<String, Object> columns) {
        for (Field field : struct.schema().fields()) {
            String column = prefix + snakeCase(field.name());
            Object value = struct.get(field);
            switch (field.schema().type()) {
                case STRUCT -> {
                    if (value != null) {
                        flatten(column + "_", (Struct) value, columns);
                    }
                }
                case MAP, ARRAY -> columns.put(column, value == null ? null : ConnectJson.toJsonText(value));
                default -> columns.put(column, value);
            }
        }
    }

    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && name.charAt(i - 1) != '_') {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void close() {
    }
}

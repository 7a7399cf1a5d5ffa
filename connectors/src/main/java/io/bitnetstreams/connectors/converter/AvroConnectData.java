package io.bitnetstreams.connectors.converter;

import io.bitnetstreams.schemas.SchemaCatalog;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Converts between Avro and Kafka Connect schemas and values, both ways.
 *
 * <ul>
 *   <li>Avro records become Connect structs named by the record's full name; enums become strings (the symbols
 *       kept in a schema parameter); {@code fixed} becomes bytes.</li>
 *   <li>A union of {@code null} and one type becomes that type, optional. Any other union becomes a struct named
 *       {@value #UNION_NAME} (Confluent's convention) with one optional field per branch, exactly one set.</li>
 *   <li>Logical types: {@code timestamp-millis}, {@code date}, {@code time-millis}, {@code decimal} map to Connect's
 *       {@link Timestamp}, {@link org.apache.kafka.connect.data.Date}, {@link Time}, {@link Decimal}.</li>
 *   <li>Connect maps with non-string keys become Avro arrays of key/value records.</li>
 * </ul>
 * A Connect schema that this class made from an Avro schema (or from one of the pipeline's own schemas) maps back
 * to exactly that Avro schema, so records written by a Connect plugin read as the pipeline's generated classes.
 * Instances hold bounded caches and are thread-safe.
 */
public final class AvroConnectData {

    public static final String UNION_NAME = "io.confluent.connect.avro.Union";
    static final String ENUM_PARAM = "io.confluent.connect.avro.Enum";
    static final String FIXED_SIZE_PARAM = "connect.fixed.size";
    static final String DECIMAL_PRECISION_PARAM = "connect.decimal.precision";
    private static final int CACHE_LIMIT = 1_000;
    private static final String DEFAULT_RECORD = "io.bitnetstreams.connect.Record";

    private final Map<org.apache.avro.Schema, Schema> toConnect = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Schema, org.apache.avro.Schema> toAvro = Collections.synchronizedMap(new LinkedHashMap<>());

    public AvroConnectData() {
        for (var type : SchemaCatalog.topLevelTypes()) {
            toConnectSchema(SchemaCatalog.schemaOf(type));
        }
    }

    // ---------------------------------------------------------------- Avro -> Connect

    /** The Connect schema of an Avro schema (remembered, so that it maps back to exactly this Avro schema). */
    public Schema toConnectSchema(org.apache.avro.Schema avro) {
        Schema cached = toConnect.get(avro);
        if (cached != null) {
            return cached;
        }
        Schema connect = connectSchema(avro, false);
        remember(toConnect, avro, connect);
        remember(toAvro, connect, avro);
        return connect;
    }

    private static <K, V> void remember(Map<K, V> cache, K key, V value) {
        synchronized (cache) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.remove(cache.keySet().iterator().next());
            }
            cache.put(key, value);
        }
    }

    private static Schema connectSchema(org.apache.avro.Schema avro, boolean optional) {
        SchemaBuilder builder = switch (avro.getType()) {
            case BOOLEAN -> SchemaBuilder.bool();
            case INT -> intSchema(avro.getLogicalType());
            case LONG -> avro.getLogicalType() instanceof LogicalTypes.TimestampMillis ? Timestamp.builder() : SchemaBuilder.int64();
            case FLOAT -> SchemaBuilder.float32();
            case DOUBLE -> SchemaBuilder.float64();
            case STRING -> SchemaBuilder.string();
            case BYTES -> bytesSchema(avro.getLogicalType());
            case FIXED -> SchemaBuilder.bytes().name(avro.getFullName()).parameter(FIXED_SIZE_PARAM,
                    Integer.toString(avro.getFixedSize()));
            case ENUM -> SchemaBuilder.string().name(avro.getFullName()).parameter(ENUM_PARAM, String.join(",", avro.getEnumSymbols()));
            case ARRAY -> SchemaBuilder.array(connectSchema(avro.getElementType(), false));
            case MAP -> SchemaBuilder.map(Schema.STRING_SCHEMA, connectSchema(avro.getValueType(), false));
            case RECORD -> recordSchema(avro);
            case UNION -> unionSchema(avro);
            case NULL -> throw new DataException("an Avro null outside a union has no Connect schema");
        };
        if (avro.getType() == org.apache.avro.Schema.Type.UNION) {
            return builder.build();
        }
        if (avro.getDoc() != null && avro.getType() != org.apache.avro.Schema.Type.RECORD) {
            builder.doc(avro.getDoc());
        }
        return (optional ? builder.optional() : builder).build();
    }

    private static SchemaBuilder intSchema(LogicalType logical) {
        if (logical instanceof LogicalTypes.Date) {
            return org.apache.kafka.connect.data.Date.builder();
        }
        return logical instanceof LogicalTypes.TimeMillis ? Time.builder() : SchemaBuilder.int32();
    }

    private static SchemaBuilder bytesSchema(LogicalType logical) {
        if (logical instanceof LogicalTypes.Decimal decimal) {
            return Decimal.builder(decimal.getScale()).parameter(DECIMAL_PRECISION_PARAM,
                    Integer.toString(decimal.getPrecision()));
        }
        return SchemaBuilder.bytes();
    }

    private static SchemaBuilder recordSchema(org.apache.avro.Schema avro) {
        SchemaBuilder builder = SchemaBuilder.struct().name(avro.getFullName());
        if (avro.getDoc() != null) {
            builder.doc(avro.getDoc());
        }
        for (org.apache.avro.Schema.Field field : avro.getFields()) {
            builder.field(field.name(), connectSchema(field.schema(), false));
        }
        return builder;
    }

    private static SchemaBuilder unionSchema(org.apache.avro.Schema avro) {
        List<org.apache.avro.Schema> branches = avro.getTypes();
        List<org.apache.avro.Schema> nonNull = branches.stream().filter(b -> b.getType() != org.apache.avro.Schema.Type.NULL).toList();
        boolean nullable = nonNull.size() < branches.size();
        if (nonNull.size() == 1) {
            Schema inner = connectSchema(nonNull.getFirst(), nullable);
            return copy(inner);
        }
        SchemaBuilder builder = SchemaBuilder.struct().name(UNION_NAME);
        for (org.apache.avro.Schema branch : nonNull) {
            builder.field(branchName(branch), connectSchema(branch, true));
        }
        return nullable ? builder.optional() : builder;
    }

    /** A builder reproducing {@code schema} (unions return builders like every other case). */
    private static SchemaBuilder copy(Schema schema) {
        SchemaBuilder builder = switch (schema.type()) {
            case STRUCT -> {
                SchemaBuilder struct = SchemaBuilder.struct();
                schema.fields().forEach(f -> struct.field(f.name(), f.schema()));
                yield struct;
            }
            case ARRAY -> SchemaBuilder.array(schema.valueSchema());
            case MAP -> SchemaBuilder.map(schema.keySchema(), schema.valueSchema());
            default -> SchemaBuilder.type(schema.type());
        };
        builder.name(schema.name()).version(schema.version()).doc(schema.doc());
        if (schema.parameters() != null) {
            builder.parameters(schema.parameters());
        }
        return schema.isOptional() ? builder.optional() : builder;
    }

    private static String branchName(org.apache.avro.Schema branch) {
        return switch (branch.getType()) {
            case RECORD, ENUM, FIXED -> branch.getName();
            default -> branch.getType().getName();
        };
    }

    /** The Connect value of an Avro datum (generic or generated classes) written with {@code avro}. */
    public Object toConnectData(org.apache.avro.Schema avro, Object datum) {
        return connectValue(avro, toConnectSchema(avro), datum);
    }

    private static Object connectValue(org.apache.avro.Schema avro, Schema connect, Object datum) {
        if (datum == null) {
            return null;
        }
        return switch (avro.getType()) {
            case BOOLEAN, FLOAT, DOUBLE -> datum;
            case INT -> intValue(avro.getLogicalType(), datum);
            case LONG -> avro.getLogicalType() instanceof LogicalTypes.TimestampMillis ? timestamp(datum) : datum;
            case STRING -> datum.toString();
            case ENUM -> datum instanceof GenericEnumSymbol<?> || datum instanceof Enum<?> ? datum.toString() : datum.toString();
            case BYTES -> bytesValue(avro.getLogicalType(), datum);
            case FIXED -> ((GenericFixed) datum).bytes().clone();
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object item : (Iterable<?>) datum) {
                    out.add(connectValue(avro.getElementType(), connect.valueSchema(), item));
                }
                yield out;
            }
            case MAP -> {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) datum).forEach((k, v) -> out.put(k.toString(), connectValue(avro.getValueType(), connect.valueSchema(), v)));
                yield out;
            }
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) datum;
                Struct struct = new Struct(connect);
                for (org.apache.avro.Schema.Field field : avro.getFields()) {
                    struct.put(field.name(), connectValue(field.schema(), connect.field(field.name()).schema(), record.get(field.pos())));
                }
                yield struct;
            }
            case UNION -> unionValue(avro, connect, datum);
            case NULL -> null;
        };
    }

    private static Object unionValue(org.apache.avro.Schema avro, Schema connect, Object datum) {
        if (!UNION_NAME.equals(connect.name())) {
            // null or one type: the value is of that type (resolving would not know logical-type classes like Instant)
            org.apache.avro.Schema only = avro.getTypes().stream()
                    .filter(b -> b.getType() != org.apache.avro.Schema.Type.NULL).findFirst().orElseThrow();
            return connectValue(only, connect, datum);
        }
        org.apache.avro.Schema branch = avro.getTypes().get(GenericData.get().resolveUnion(avro, datum));
        Struct struct = new Struct(connect);
        Field field = connect.field(branchName(branch));
        struct.put(field, connectValue(branch, field.schema(), datum));
        return struct;
    }

    private static Object intValue(LogicalType logical, Object datum) {
        if (logical instanceof LogicalTypes.Date) {
            long day = datum instanceof LocalDate date ? date.toEpochDay() : ((Number) datum).longValue();
            return new Date(day * 86_400_000L);
        }
        if (logical instanceof LogicalTypes.TimeMillis) {
            return datum instanceof java.time.LocalTime time ? new Date(time.toNanoOfDay() / 1_000_000)
                    : new Date(((Number) datum).longValue());
        }
        return datum;
    }

    private static Date timestamp(Object datum) {
        return datum instanceof Instant instant ? Date.from(instant) : new Date(((Number) datum).longValue());
    }

    private static Object bytesValue(LogicalType logical, Object datum) {
        if (logical instanceof LogicalTypes.Decimal decimal) {
            if (datum instanceof BigDecimal big) {
                return big;
            }
            return new BigDecimal(new BigInteger(bytes(datum)), decimal.getScale());
        }
        return bytes(datum);
    }

    private static byte[] bytes(Object datum) {
        if (datum instanceof ByteBuffer buffer) {
            byte[] out = new byte[buffer.remaining()];
            buffer.duplicate().get(out);
            return out;
        }
        return (byte[]) datum;
    }

    // ---------------------------------------------------------------- Connect -> Avro

    /** The Avro schema of a Connect schema: the remembered one when this schema came from Avro, else derived. */
    public org.apache.avro.Schema fromConnectSchema(Schema connect) {
        org.apache.avro.Schema known = toAvro.get(connect);
        if (known != null) {
            return known;
        }
        org.apache.avro.Schema avro = avroSchema(connect, new HashMap<>(), "");
        remember(toAvro, connect, avro);
        return avro;
    }

    private static org.apache.avro.Schema avroSchema(Schema connect, Map<String, org.apache.avro.Schema> named, String path) {
        org.apache.avro.Schema plain = plainAvroSchema(connect, named, path);
        if (!connect.isOptional() || plain.getType() == org.apache.avro.Schema.Type.UNION) {
            return plain;
        }
        return org.apache.avro.Schema.createUnion(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL), plain);
    }

    private static org.apache.avro.Schema plainAvroSchema(Schema connect, Map<String, org.apache.avro.Schema> named, String path) {
        String logical = connect.name();
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return LogicalTypes.timestampMillis().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG));
        }
        if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
            return LogicalTypes.date().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT));
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            return LogicalTypes.timeMillis().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT));
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            int scale = Integer.parseInt(connect.parameters().get(Decimal.SCALE_FIELD));
            int precision = Integer.parseInt(connect.parameters().getOrDefault(DECIMAL_PRECISION_PARAM, "64"));
            return LogicalTypes.decimal(precision, scale).addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES));
        }
        return switch (connect.type()) {
            case INT8, INT16, INT32 -> org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
            case INT64 -> org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG);
            case FLOAT32 -> org.apache.avro.Schema.create(org.apache.avro.Schema.Type.FLOAT);
            case FLOAT64 -> org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE);
            case BOOLEAN -> org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BOOLEAN);
            case STRING -> stringSchema(connect, named);
            case BYTES -> bytesAvroSchema(connect, named);
            case ARRAY -> org.apache.avro.Schema.createArray(avroSchema(connect.valueSchema(), named, path + "_item"));
            case MAP -> mapSchema(connect, named, path);
            case STRUCT -> UNION_NAME.equals(connect.name()) ? unionAvroSchema(connect, named, path) : recordAvroSchema(connect, named, path);
        };
    }

    private static org.apache.avro.Schema stringSchema(Schema connect, Map<String, org.apache.avro.Schema> named) {
        String symbols = connect.parameters() == null ? null : connect.parameters().get(ENUM_PARAM);
        if (symbols == null || connect.name() == null) {
            return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING);
        }
        return named.computeIfAbsent(connect.name(), name -> org.apache.avro.Schema.createEnum(simpleName(name), connect.doc(),
                namespace(name), List.of(symbols.split(","))));
    }

    private static org.apache.avro.Schema bytesAvroSchema(Schema connect, Map<String, org.apache.avro.Schema> named) {
        String size = connect.parameters() == null ? null : connect.parameters().get(FIXED_SIZE_PARAM);
        if (size == null || connect.name() == null) {
            return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES);
        }
        return named.computeIfAbsent(connect.name(), name -> org.apache.avro.Schema.createFixed(simpleName(name), connect.doc(),
                namespace(name), Integer.parseInt(size)));
    }

    private static org.apache.avro.Schema mapSchema(Schema connect, Map<String, org.apache.avro.Schema> named, String path) {
        if (connect.keySchema().type() == Schema.Type.STRING) {
            return org.apache.avro.Schema.createMap(avroSchema(connect.valueSchema(), named, path + "_value"));
        }
        String entryName = "io.bitnetstreams.connect.MapEntry" + path;
        org.apache.avro.Schema entry = org.apache.avro.Schema.createRecord(simpleName(entryName), null, namespace(entryName), false,
                List.of(new org.apache.avro.Schema.Field("key", avroSchema(connect.keySchema(), named, path + "_key")),
                        new org.apache.avro.Schema.Field("value", avroSchema(connect.valueSchema(), named, path + "_value"))));
        return org.apache.avro.Schema.createArray(entry);
    }

    private static org.apache.avro.Schema unionAvroSchema(Schema connect, Map<String, org.apache.avro.Schema> named, String path) {
        List<org.apache.avro.Schema> branches = new ArrayList<>();
        if (connect.isOptional()) {
            branches.add(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL));
        }
        for (Field field : connect.fields()) {
            branches.add(plainAvroSchema(field.schema(), named, path + "_" + field.name()));
        }
        return org.apache.avro.Schema.createUnion(branches);
    }

    private static org.apache.avro.Schema recordAvroSchema(Schema connect, Map<String, org.apache.avro.Schema> named, String path) {
        String name = connect.name() != null ? connect.name() : DEFAULT_RECORD + path;
        org.apache.avro.Schema existing = named.get(name);
        if (existing != null) {
            return existing;
        }
        org.apache.avro.Schema record = org.apache.avro.Schema.createRecord(simpleName(name), connect.doc(), namespace(name), false);
        named.put(name, record);
        List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
        for (Field field : connect.fields()) {
            org.apache.avro.Schema fieldSchema = avroSchema(field.schema(), named, path + "_" + field.name());
            Object defaultValue = fieldSchema.getType() == org.apache.avro.Schema.Type.UNION
                    && fieldSchema.getTypes().getFirst().getType() == org.apache.avro.Schema.Type.NULL ? JsonProperties.NULL_VALUE : null;
            fields.add(new org.apache.avro.Schema.Field(avroName(field.name()), fieldSchema, field.schema().doc(), defaultValue));
        }
        record.setFields(fields);
        return record;
    }

    private static String avroName(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_]", "_");
        return cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0)) ? "_" + cleaned : cleaned;
    }

    private static String simpleName(String fullName) {
        return avroName(fullName.substring(fullName.lastIndexOf('.') + 1));
    }

    private static String namespace(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? null : fullName.substring(0, dot);
    }

    /** The Avro datum (generic) of a Connect value written with {@code connect}; {@code avro} from {@link #fromConnectSchema}. */
    public Object fromConnectData(Schema connect, org.apache.avro.Schema avro, Object value) {
        if (value == null) {
            if (!connect.isOptional() && connect.defaultValue() == null) {
                throw new DataException("null value for required " + (connect.name() == null ? connect.type() : connect.name()));
            }
            return null;
        }
        org.apache.avro.Schema target = avro;
        if (avro.getType() == org.apache.avro.Schema.Type.UNION && !UNION_NAME.equals(connect.name())) {
            target = avro.getTypes().stream().filter(b -> b.getType() != org.apache.avro.Schema.Type.NULL).findFirst()
                    .orElseThrow(() -> new DataException("union of null only"));
        }
        return avroValue(connect, target, value);
    }

    private Object avroValue(Schema connect, org.apache.avro.Schema avro, Object value) {
        if (value instanceof Date date) {
            return switch (avro.getType()) {
                case LONG -> date.getTime();
                case INT -> avro.getLogicalType() instanceof LogicalTypes.Date
                        ? (int) Math.floorDiv(date.getTime(), 86_400_000L) : (int) date.getTime();
                default -> throw new DataException("a date for Avro " + avro.getType());
            };
        }
        return switch (avro.getType()) {
            case INT -> ((Number) value).intValue();
            case LONG, FLOAT, DOUBLE, BOOLEAN -> value;
            case STRING -> value.toString();
            case ENUM -> new GenericData.EnumSymbol(avro, value.toString());
            case BYTES -> value instanceof BigDecimal big ? ByteBuffer.wrap(big.unscaledValue().toByteArray())
                    : ByteBuffer.wrap(bytes(value));
            case FIXED -> new GenericData.Fixed(avro, bytes(value));
            case ARRAY -> arrayValue(connect, avro, value);
            case MAP -> {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> out.put(k.toString(), fromConnectData(connect.valueSchema(), avro.getValueType(), v)));
                yield out;
            }
            case RECORD -> recordValue(connect, avro, (Struct) value);
            case UNION -> unionAvroValue(connect, avro, (Struct) value);
            case NULL -> null;
        };
    }

    private Object arrayValue(Schema connect, org.apache.avro.Schema avro, Object value) {
        List<Object> out = new ArrayList<>();
        if (connect.type() == Schema.Type.MAP) {
            org.apache.avro.Schema entry = avro.getElementType();
            ((Map<?, ?>) value).forEach((k, v) -> {
                GenericData.Record record = new GenericData.Record(entry);
                record.put("key", fromConnectData(connect.keySchema(), entry.getField("key").schema(), k));
                record.put("value", fromConnectData(connect.valueSchema(), entry.getField("value").schema(), v));
                out.add(record);
            });
            return out;
        }
        for (Object item : (List<?>) value) {
            out.add(fromConnectData(connect.valueSchema(), avro.getElementType(), item));
        }
        return out;
    }

    private Object recordValue(Schema connect, org.apache.avro.Schema avro, Struct struct) {
        GenericData.Record record = new GenericData.Record(avro);
        for (Field field : connect.fields()) {
            org.apache.avro.Schema.Field avroField = avro.getField(avroName(field.name()));
            if (avroField == null) {
                throw new DataException("Avro record " + avro.getFullName() + " has no field " + field.name());
            }
            record.put(avroField.pos(), fromConnectData(field.schema(), avroField.schema(), struct.get(field)));
        }
        return record;
    }

    private Object unionAvroValue(Schema connect, org.apache.avro.Schema avro, Struct struct) {
        int branchIndex = avro.getTypes().getFirst().getType() == org.apache.avro.Schema.Type.NULL ? 1 : 0;
        for (Field field : connect.fields()) {
            Object branchValue = struct.get(field);
            if (branchValue != null) {
                return avroValue(field.schema(), avro.getTypes().get(branchIndex + field.index()), branchValue);
            }
        }
        throw new DataException("union struct " + struct + " has no branch set");
    }

    static Map<String, String> parametersOf(Schema schema) {
        return schema.parameters() == null ? Map.of() : Objects.requireNonNull(schema.parameters());
    }
}

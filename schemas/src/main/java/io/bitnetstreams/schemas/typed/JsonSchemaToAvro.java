package io.bitnetstreams.schemas.typed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Maps the JSON Schema of an extraction to an Avro record schema, so that an extraction result can travel as a
 * typed record (one column per field in a database sink) rather than a JSON string.
 *
 * <p>Mapping rules:
 * <ul>
 *   <li>The top-level record is {@code io.bitnetstreams.typed.Extraction_<fingerprint>} with the fixed fields
 *       {@code requestId}, {@code status} (the result status), {@code completedAt} and {@code rawJson} (the extracted
 *       JSON text as produced, so nothing is lost), then one field per property of the schema.</li>
 *   <li>{@code string} -> string, {@code integer} -> long, {@code number} -> double, {@code boolean} -> boolean.</li>
 *   <li>{@code object} with {@code properties} -> a nested record (named after its path); without properties -> the
 *       JSON text as a string.</li>
 *   <li>{@code array} with {@code items} -> an Avro array of the mapped items; without {@code items} -> JSON text.</li>
 *   <li>Nullability: every extracted field is {@code ["null", T]} with default null, required or not: a truncated
 *       or partial extraction may lack any field. A type list like {@code ["string", "null"]} maps like its non-null
 *       type; several non-null types, {@code anyOf}/{@code oneOf}/{@code allOf}, {@code const}, {@code $ref} -> JSON text
 *       (Avro unions of several records would make poor table columns). {@code enum} -> string.</li>
 *   <li>Property names that are not Avro names are made into ones ({@code unit price} -> {@code unit_price}); clashes
 *       get a numeric suffix. Nesting deeper than {@value #MAX_DEPTH} or more than {@value #MAX_FIELDS} fields in all
 *       are refused with {@link IllegalArgumentException}.</li>
 *   <li>A value that does not fit its field's type (the model wrote text where a number was asked) becomes null in
 *       that field; {@code rawJson} still holds it.</li>
 * </ul>
 * The fingerprint is the first 16 hex digits of the SHA-256 of the schema's canonical JSON (keys sorted), so the
 * same JSON Schema always maps to the same Avro schema and subject, whatever the key order it was written in.
 */
public final class JsonSchemaToAvro {

    public static final int MAX_DEPTH = 8;
    public static final int MAX_FIELDS = 512;
    public static final String NAMESPACE = "io.bitnetstreams.typed";
    public static final String SUBJECT_PREFIX = "bitnet.typed-extraction-";
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** Field property naming the JSON property a field holds (the Avro name may differ). */
    public static final String PROPERTY_PROP = "json.property";
    private static final Schema NULL = Schema.create(Schema.Type.NULL);

    /** A mapped schema with its fingerprint; {@link #toRecord} fills it. */
    public record Mapping(String fingerprint, Schema schema, String subject) {}

    private JsonSchemaToAvro() {}

    /** Fingerprint of a JSON Schema: stable over key order and whitespace. */
    public static String fingerprint(String jsonSchema) {
        try {
            Object tree = CANONICAL.treeToValue(CANONICAL.readTree(jsonSchema), Object.class);
            byte[] canonical = CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, 16);
        } catch (IOException e) {
            throw new IllegalArgumentException("JSON Schema is not JSON: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static Mapping map(String jsonSchema) {
        JsonNode root;
        try {
            root = CANONICAL.readTree(jsonSchema);
        } catch (IOException e) {
            throw new IllegalArgumentException("JSON Schema is not JSON: " + e.getMessage(), e);
        }
        String fingerprint = fingerprint(jsonSchema);
        String name = "Extraction_" + fingerprint;
        List<Schema.Field> fields = new ArrayList<>();
        fields.add(new Schema.Field("requestId", Schema.create(Schema.Type.STRING), "Id of the request answered."));
        fields.add(new Schema.Field("status", Schema.create(Schema.Type.STRING), "DONE, PARTIAL or FAILED."));
        fields.add(new Schema.Field("completedAt", LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)),
                "When the final result was assembled."));
        fields.add(new Schema.Field("rawJson", nullable(Schema.create(Schema.Type.STRING)), "The extracted JSON as produced.",
                JsonProperties.NULL_VALUE));
        Set<String> taken = new HashSet<>(List.of("requestId", "status", "completedAt", "rawJson"));
        int[] count = {0};
        fields.addAll(propertyFields(root, name, 1, taken, count));
        Schema schema = Schema.createRecord(name, "Typed extraction for JSON Schema " + fingerprint, NAMESPACE, false, fields);
        return new Mapping(fingerprint, schema, SUBJECT_PREFIX + fingerprint);
    }

    private static List<Schema.Field> propertyFields(JsonNode object, String path, int depth, Set<String> taken, int[] count) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("JSON Schema nests objects deeper than " + MAX_DEPTH);
        }
        List<Schema.Field> fields = new ArrayList<>();
        JsonNode properties = object.path("properties");
        for (Map.Entry<String, JsonNode> property : new TreeMap<>(propertyMap(properties)).entrySet()) {
            if (++count[0] > MAX_FIELDS) {
                throw new IllegalArgumentException("JSON Schema has more than " + MAX_FIELDS + " fields");
            }
            String fieldName = unique(avroName(property.getKey()), taken);
            Schema type = typeOf(property.getValue(), path + "_" + fieldName, depth, count);
            var field = new Schema.Field(fieldName, nullable(type), "JSON property \"" + property.getKey() + "\"",
                    JsonProperties.NULL_VALUE);
            field.addProp(PROPERTY_PROP, property.getKey());
            fields.add(field);
        }
        return fields;
    }

    private static Map<String, JsonNode> propertyMap(JsonNode properties) {
        Map<String, JsonNode> map = new TreeMap<>();
        if (properties.isObject()) {
            properties.properties().forEach(e -> map.put(e.getKey(), e.getValue()));
        }
        return map;
    }

    private static Schema typeOf(JsonNode schema, String path, int depth, int[] count) {
        if (schema.has("anyOf") || schema.has("oneOf") || schema.has("allOf") || schema.has("$ref") || schema.has("const")) {
            return Schema.create(Schema.Type.STRING);
        }
        if (schema.has("enum")) {
            return Schema.create(Schema.Type.STRING);
        }
        String type = singleType(schema.path("type"));
        return switch (type == null ? "" : type) {
            case "string" -> Schema.create(Schema.Type.STRING);
            case "integer" -> Schema.create(Schema.Type.LONG);
            case "number" -> Schema.create(Schema.Type.DOUBLE);
            case "boolean" -> Schema.create(Schema.Type.BOOLEAN);
            case "object" -> schema.path("properties").isObject() && !schema.path("properties").isEmpty()
                    ? Schema.createRecord(path.replaceAll("^_", ""), null, NAMESPACE, false,
                            propertyFields(schema, path, depth + 1, new HashSet<>(), count))
                    : Schema.create(Schema.Type.STRING);
            case "array" -> schema.path("items").isObject()
                    ? Schema.createArray(typeOf(schema.path("items"), path + "_item", depth + 1, count))
                    : Schema.create(Schema.Type.STRING);
            default -> Schema.create(Schema.Type.STRING);
        };
    }

    /** The one non-null type named, or null when there is none or several. */
    private static String singleType(JsonNode type) {
        if (type.isTextual()) {
            return type.asText();
        }
        if (type.isArray()) {
            List<String> nonNull = new ArrayList<>();
            type.forEach(t -> {
                if (!"null".equals(t.asText())) {
                    nonNull.add(t.asText());
                }
            });
            return nonNull.size() == 1 ? nonNull.getFirst() : null;
        }
        return null;
    }

    private static Schema nullable(Schema type) {
        return Schema.createUnion(NULL, type);
    }

    static String avroName(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_]", "_");
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0)) && cleaned.charAt(0) != '_') {
            cleaned = "_" + cleaned;
        }
        return cleaned;
    }

    private static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int i = 2; !taken.add(candidate); i++) {
            candidate = name + "_" + i;
        }
        return candidate;
    }

    /** The typed record of one extraction result; fields whose value does not fit their type are null. */
    public static GenericRecord toRecord(Mapping mapping, String requestId, String status, long completedAtMillis,
            String json) {
        GenericData.Record record = new GenericData.Record(mapping.schema());
        record.put("requestId", requestId);
        record.put("status", status);
        record.put("completedAt", completedAtMillis);
        record.put("rawJson", json);
        JsonNode value = null;
        if (json != null) {
            try {
                value = CANONICAL.readTree(json);
            } catch (IOException e) {
                value = null; // truncated JSON: the typed fields stay null, rawJson keeps the text
            }
        }
        fill(record, value, 4, mapping.schema());
        return record;
    }

    private static void fill(GenericData.Record record, JsonNode object, int firstField, Schema schema) {
        if (object == null || !object.isObject()) {
            return;
        }
        for (Schema.Field field : schema.getFields().subList(firstField, schema.getFields().size())) {
            String property = field.getProp(PROPERTY_PROP);
            record.put(field.pos(), convert(object.get(property), field.schema().getTypes().get(1)));
        }
    }

    private static Object convert(JsonNode value, Schema type) {
        if (value == null || value.isNull()) {
            return null;
        }
        return switch (type.getType()) {
            case STRING -> value.isTextual() ? value.asText() : value.toString();
            case LONG -> value.isIntegralNumber() && value.canConvertToLong() ? value.asLong() : null;
            case DOUBLE -> value.isNumber() ? value.asDouble() : null;
            case BOOLEAN -> value.isBoolean() ? value.asBoolean() : null;
            case ARRAY -> {
                if (!value.isArray()) {
                    yield null;
                }
                List<Object> items = new ArrayList<>();
                value.forEach(item -> items.add(convert(item, type.getElementType())));
                yield items.contains(null) && !type.getElementType().isNullable() ? null : items;
            }
            case RECORD -> {
                if (!value.isObject()) {
                    yield null;
                }
                GenericData.Record nested = new GenericData.Record(type);
                fill(nested, value, 0, type);
                yield nested;
            }
            default -> null;
        };
    }
}

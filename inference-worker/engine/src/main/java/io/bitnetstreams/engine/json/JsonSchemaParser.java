package io.bitnetstreams.engine.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.json.JsonSchema.ArraySchema;
import io.bitnetstreams.engine.json.JsonSchema.BooleanSchema;
import io.bitnetstreams.engine.json.JsonSchema.EnumSchema;
import io.bitnetstreams.engine.json.JsonSchema.NumberSchema;
import io.bitnetstreams.engine.json.JsonSchema.ObjectSchema;
import io.bitnetstreams.engine.json.JsonSchema.StringSchema;
import io.bitnetstreams.engine.tasks.RequestLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses untrusted schema text into a {@link JsonSchema}. Unknown keywords are rejected rather than
 * ignored, so a schema never silently means less than its author intended. Every size is bounded.
 */
public final class JsonSchemaParser {

    public static final int MAX_SCHEMA_CHARS = RequestLimits.MAX_SCHEMA_CHARS;
    public static final int MAX_DEPTH = RequestLimits.MAX_SCHEMA_DEPTH;
    public static final int MAX_NODES = RequestLimits.MAX_SCHEMA_NODES;
    public static final int MAX_PROPERTIES = 256;
    public static final int MAX_ENUM_VALUES = 256;
    public static final int MAX_NAME_BYTES = 256;
    /** Upper bound for maxLength / maxItems (and the implied bound when absent for items). */
    public static final int MAX_BOUND = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "default", "examples");

    private int nodes;

    private JsonSchemaParser() {
    }

    /** Parses schema text; the root must be an object schema. */
    public static JsonSchema parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidSchemaException("the schema is empty");
        }
        if (text.length() > MAX_SCHEMA_CHARS) {
            throw new InvalidSchemaException("the schema has " + text.length() + " characters; the limit is "
                    + MAX_SCHEMA_CHARS);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidSchemaException("the schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return parse(root);
    }

    /** Parses an already-read schema document; the root must be an object schema. */
    public static JsonSchema parse(JsonNode root) {
        JsonSchema schema = new JsonSchemaParser().node(root, "#", 0);
        if (!(schema instanceof ObjectSchema)) {
            throw new InvalidSchemaException("the root schema must have \"type\": \"object\"");
        }
        return schema;
    }

    private JsonSchema node(JsonNode node, String path, int depth) {
        if (node == null || !node.isObject()) {
            throw new InvalidSchemaException(path + ": a schema must be a JSON object");
        }
        if (depth > MAX_DEPTH) {
            throw new InvalidSchemaException(path + ": nesting deeper than " + MAX_DEPTH);
        }
        if (++nodes > MAX_NODES) {
            throw new InvalidSchemaException("the schema has more than " + MAX_NODES + " nodes");
        }
        if (node.has("enum")) {
            checkKeywords(node, path, Set.of("enum", "type"));
            return enumSchema(node.get("enum"), path);
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidSchemaException(path + ": \"type\" must be one of object, array, string, number, integer, "
                    + "boolean (or use \"enum\")");
        }
        return switch (type.asText()) {
            case "object" -> objectSchema(node, path, depth);
            case "array" -> arraySchema(node, path, depth);
            case "string" -> {
                checkKeywords(node, path, Set.of("type", "minLength", "maxLength"));
                int min = bound(node, "minLength", 0, path);
                int max = bound(node, "maxLength", MAX_BOUND, path);
                checkOrder(min, max, "minLength", "maxLength", path);
                yield new StringSchema(min, max);
            }
            case "number" -> {
                checkKeywords(node, path, Set.of("type"));
                yield new NumberSchema(false);
            }
            case "integer" -> {
                checkKeywords(node, path, Set.of("type"));
                yield new NumberSchema(true);
            }
            case "boolean" -> {
                checkKeywords(node, path, Set.of("type"));
                yield new BooleanSchema();
            }
            default -> throw new InvalidSchemaException(path + ": unsupported type \"" + shorten(type.asText()) + "\"");
        };
    }

    private JsonSchema objectSchema(JsonNode node, String path, int depth) {
        checkKeywords(node, path, Set.of("type", "properties", "required", "additionalProperties"));
        Map<String, JsonSchema> properties = new LinkedHashMap<>();
        JsonNode props = node.get("properties");
        if (props != null) {
            if (!props.isObject()) {
                throw new InvalidSchemaException(path + "/properties must be an object");
            }
            if (props.size() > MAX_PROPERTIES) {
                throw new InvalidSchemaException(path + "/properties has " + props.size() + " entries; the limit is "
                        + MAX_PROPERTIES);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                    throw new InvalidSchemaException(path + "/properties: a property name is longer than "
                            + MAX_NAME_BYTES + " bytes");
                }
                properties.put(e.getKey(), node(e.getValue(), path + "/properties/" + shorten(e.getKey()), depth + 1));
            }
        }
        List<String> required = new ArrayList<>();
        JsonNode req = node.get("required");
        if (req != null) {
            if (!req.isArray()) {
                throw new InvalidSchemaException(path + "/required must be an array of property names");
            }
            Set<String> seen = new HashSet<>();
            for (JsonNode name : req) {
                if (!name.isTextual()) {
                    throw new InvalidSchemaException(path + "/required must contain only strings");
                }
                if (!properties.containsKey(name.asText())) {
                    throw new InvalidSchemaException(path + "/required names \"" + shorten(name.asText())
                            + "\" which is not in properties");
                }
                if (!seen.add(name.asText())) {
                    throw new InvalidSchemaException(path + "/required lists \"" + shorten(name.asText()) + "\" twice");
                }
                required.add(name.asText());
            }
        }
        boolean additional = true;
        JsonNode extra = node.get("additionalProperties");
        if (extra != null) {
            if (!extra.isBoolean()) {
                throw new InvalidSchemaException(path + "/additionalProperties must be true or false");
            }
            additional = extra.asBoolean();
        }
        return new ObjectSchema(properties, required, additional);
    }

    private JsonSchema arraySchema(JsonNode node, String path, int depth) {
        checkKeywords(node, path, Set.of("type", "items", "minItems", "maxItems"));
        if (!node.has("items")) {
            throw new InvalidSchemaException(path + ": an array schema needs \"items\"");
        }
        JsonSchema items = node(node.get("items"), path + "/items", depth + 1);
        int min = bound(node, "minItems", 0, path);
        int max = bound(node, "maxItems", MAX_BOUND, path);
        checkOrder(min, max, "minItems", "maxItems", path);
        return new ArraySchema(items, min, max);
    }

    private static JsonSchema enumSchema(JsonNode values, String path) {
        JsonNode type = values == null ? null : values;
        if (type == null || !type.isArray() || type.isEmpty()) {
            throw new InvalidSchemaException(path + "/enum must be a non-empty array");
        }
        if (values.size() > MAX_ENUM_VALUES) {
            throw new InvalidSchemaException(path + "/enum has " + values.size() + " values; the limit is "
                    + MAX_ENUM_VALUES);
        }
        List<JsonNode> list = new ArrayList<>();
        Set<JsonNode> seen = new HashSet<>();
        for (JsonNode v : values) {
            if (!(v.isTextual() || v.isNumber() || v.isBoolean() || v.isNull())) {
                throw new InvalidSchemaException(path + "/enum values must be strings, numbers, booleans or null");
            }
            if (v.isTextual() && v.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new InvalidSchemaException(path + "/enum: a value is longer than " + MAX_NAME_BYTES + " bytes");
            }
            if (!seen.add(v)) {
                throw new InvalidSchemaException(path + "/enum lists a value twice");
            }
            list.add(v);
        }
        return new EnumSchema(list);
    }

    private static void checkKeywords(JsonNode node, String path, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key) && !ANNOTATIONS.contains(key)) {
                throw new InvalidSchemaException(path + ": unsupported keyword \"" + shorten(key) + "\" here (supported: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static int bound(JsonNode node, String key, int absent, String path) {
        JsonNode v = node.get(key);
        if (v == null) {
            return absent;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > MAX_BOUND) {
            throw new InvalidSchemaException(path + "/" + key + " must be an integer in [0, " + MAX_BOUND + "]");
        }
        return v.asInt();
    }

    private static void checkOrder(int min, int max, String minKey, String maxKey, String path) {
        if (min > max) {
            throw new InvalidSchemaException(path + ": " + minKey + " " + min + " exceeds " + maxKey + " " + max);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

package io.bitnetstreams.engine.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Turns a cut-off prefix of a compact JSON document (as produced under {@link JsonAutomaton}) into a
 * complete document holding what was finished: open objects and arrays are closed with their
 * completed members, and a member whose value was cut off (or a trailing number, which might have had
 * more digits) is dropped.
 */
public final class PartialJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final byte[] text;
    private int pos;

    private PartialJson(byte[] text) {
        this.text = text;
    }

    /** The completed part of {@code prefix}; an empty object when not even '{' was produced. */
    public static JsonNode close(byte[] prefix) {
        PartialJson p = new PartialJson(prefix);
        Value v = p.value();
        return v == null || v.node() == null ? NODES.objectNode() : v.node();
    }

    /** A parsed value and whether it ended inside the prefix. */
    private record Value(JsonNode node, boolean complete) {
    }

    private Value value() {
        skipSpaces();
        if (pos >= text.length) {
            return null;
        }
        return switch (text[pos]) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            default -> scalar();
        };
    }

    private Value object() {
        ObjectNode obj = NODES.objectNode();
        pos++;
        while (true) {
            skipSpaces();
            if (pos >= text.length) {
                return new Value(obj, false);
            }
            if (text[pos] == '}') {
                pos++;
                return new Value(obj, true);
            }
            if (text[pos] == ',') {
                pos++;
                continue;
            }
            Value key = string();
            if (key == null || !key.complete()) {
                return new Value(obj, false);
            }
            skipSpaces();
            if (pos >= text.length || text[pos] != ':') {
                return new Value(obj, false);
            }
            pos++;
            Value v = value();
            if (v == null) {
                return new Value(obj, false);
            }
            if (v.complete() || v.node().isContainerNode()) {
                obj.set(key.node().asText(), v.node());
            }
            if (!v.complete()) {
                return new Value(obj, false);
            }
        }
    }

    private Value array() {
        ArrayNode arr = NODES.arrayNode();
        pos++;
        while (true) {
            skipSpaces();
            if (pos >= text.length) {
                return new Value(arr, false);
            }
            if (text[pos] == ']') {
                pos++;
                return new Value(arr, true);
            }
            if (text[pos] == ',') {
                pos++;
                continue;
            }
            Value v = value();
            if (v == null) {
                return new Value(arr, false);
            }
            if (v.complete() || v.node().isContainerNode()) {
                arr.add(v.node());
            }
            if (!v.complete()) {
                return new Value(arr, false);
            }
        }
    }

    private Value string() {
        int start = pos;
        pos++;
        while (pos < text.length) {
            byte b = text[pos];
            if (b == '\\') {
                pos += 2;
                continue;
            }
            pos++;
            if (b == '"') {
                try {
                    String json = new String(text, start, pos - start, StandardCharsets.UTF_8);
                    return new Value(MAPPER.readTree(json), true);
                } catch (java.io.IOException e) {
                    return new Value(NODES.textNode(""), false);
                }
            }
        }
        pos = text.length;
        return new Value(NODES.textNode(""), false);
    }

    private Value scalar() {
        int start = pos;
        while (pos < text.length && text[pos] != ',' && text[pos] != '}' && text[pos] != ']' && text[pos] != ' ') {
            pos++;
        }
        String token = new String(text, start, pos - start, StandardCharsets.ISO_8859_1);
        if (pos >= text.length) {
            return new Value(NODES.nullNode(), false); // might have continued
        }
        return switch (token) {
            case "true" -> new Value(NODES.booleanNode(true), true);
            case "false" -> new Value(NODES.booleanNode(false), true);
            case "null" -> new Value(NODES.nullNode(), true);
            default -> {
                try {
                    JsonNode number = MAPPER.readTree(token); // same number representation as a full parse
                    yield number != null && number.isNumber() ? new Value(number, true) : new Value(NODES.nullNode(), false);
                } catch (java.io.IOException e) {
                    yield new Value(NODES.nullNode(), false);
                }
            }
        };
    }

    private void skipSpaces() {
        while (pos < text.length && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t' || text[pos] == '\r')) {
            pos++;
        }
    }
}

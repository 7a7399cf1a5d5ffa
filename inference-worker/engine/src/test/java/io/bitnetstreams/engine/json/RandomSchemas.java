package io.bitnetstreams.engine.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.engine.json.JsonSchema.ArraySchema;
import io.bitnetstreams.engine.json.JsonSchema.BooleanSchema;
import io.bitnetstreams.engine.json.JsonSchema.EnumSchema;
import io.bitnetstreams.engine.json.JsonSchema.NumberSchema;
import io.bitnetstreams.engine.json.JsonSchema.ObjectSchema;
import io.bitnetstreams.engine.json.JsonSchema.StringSchema;
import java.util.Map;
import java.util.Random;

/** Random schema documents and random documents in the automaton's accepted form, for tests. */
final class RandomSchemas {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] NAMES = {"name", "age", "a", "ab", "tags", "x\"y", "ünï", "id", "value", "v1"};
    private static final String[] WORDS = {"red", "green", "é", "a b", "q\"t", "1", "12", "", "line\nbreak"};

    private RandomSchemas() {
    }

    static ObjectNode objectSchemaText(Random r, int depth) {
        ObjectNode s = NODES.objectNode().put("type", "object");
        ObjectNode props = s.putObject("properties");
        ArrayNode required = NODES.arrayNode();
        int n = r.nextInt(depth == 0 ? 5 : 3) + (depth == 0 ? 1 : 0);
        for (int i = 0; i < n; i++) {
            String name = NAMES[r.nextInt(NAMES.length)] + (props.has(NAMES[0]) ? i : "");
            if (props.has(name)) {
                continue;
            }
            props.set(name, valueSchemaText(r, depth + 1));
            if (r.nextBoolean()) {
                required.add(name);
            }
        }
        if (!required.isEmpty()) {
            s.set("required", required);
        }
        if (r.nextInt(3) == 0) {
            s.put("additionalProperties", false);
        }
        return s;
    }

    static ObjectNode valueSchemaText(Random r, int depth) {
        int kind = r.nextInt(depth >= 3 ? 5 : 7);
        ObjectNode s = NODES.objectNode();
        switch (kind) {
            case 0 -> {
                s.put("type", "string");
                if (r.nextBoolean()) {
                    int min = r.nextInt(3);
                    s.put("minLength", min).put("maxLength", min + r.nextInt(6));
                }
            }
            case 1 -> s.put("type", "number");
            case 2 -> s.put("type", "integer");
            case 3 -> s.put("type", "boolean");
            case 4 -> {
                ArrayNode values = s.putArray("enum");
                int n = 1 + r.nextInt(4);
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < n; i++) {
                    switch (r.nextInt(4)) {
                        case 0 -> {
                            String w = WORDS[r.nextInt(WORDS.length)];
                            if (seen.add("s" + w)) {
                                values.add(w);
                            }
                        }
                        case 1 -> {
                            int v = r.nextInt(20) - 5;
                            if (seen.add("n" + v)) {
                                values.add(v);
                            }
                        }
                        case 2 -> {
                            boolean b = r.nextBoolean();
                            if (seen.add("b" + b)) {
                                values.add(b);
                            }
                        }
                        default -> {
                            if (seen.add("null")) {
                                values.addNull();
                            }
                        }
                    }
                }
            }
            case 5 -> {
                s.put("type", "array").set("items", valueSchemaText(r, depth + 1));
                if (r.nextBoolean()) {
                    int min = r.nextInt(2);
                    s.put("minItems", min).put("maxItems", min + r.nextInt(3));
                }
            }
            default -> {
                return objectSchemaText(r, depth);
            }
        }
        return s;
    }

    /** A random document in the accepted form: schema order, compact, optional single spaces. */
    static String document(JsonSchema schema, Random r) {
        StringBuilder out = new StringBuilder();
        write(schema, r, out);
        return out.toString();
    }

    private static void write(JsonSchema schema, Random r, StringBuilder out) {
        switch (schema) {
            case ObjectSchema o -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonSchema> e : o.properties().entrySet()) {
                    if (!o.required().contains(e.getKey()) && r.nextInt(3) == 0) {
                        continue;
                    }
                    if (!first) {
                        out.append(r.nextBoolean() ? ", " : ",");
                    }
                    first = false;
                    out.append(NODES.textNode(e.getKey()).toString()).append(r.nextBoolean() ? ": " : ":");
                    write(e.getValue(), r, out);
                }
                out.append('}');
            }
            case ArraySchema a -> {
                out.append('[');
                int n = a.minItems() + r.nextInt(Math.min(a.maxItems(), a.minItems() + 3) - a.minItems() + 1);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        out.append(r.nextBoolean() ? ", " : ",");
                    }
                    write(a.items(), r, out);
                }
                out.append(']');
            }
            case StringSchema s -> {
                int n = s.minLength() + r.nextInt(Math.min(s.maxLength(), s.minLength() + 6) - s.minLength() + 1);
                StringBuilder text = new StringBuilder();
                String alphabet = "ab \"\\\n\té€😀/";
                for (int i = 0; i < n; ) {
                    int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0,
                            alphabet.length()))));
                    text.appendCodePoint(cp);
                    i++;
                }
                out.append(NODES.textNode(text.toString()).toString());
            }
            case NumberSchema n -> {
                long v = r.nextLong() % 1_000_000_000L;
                out.append(v);
                if (!n.integer() && r.nextBoolean()) {
                    out.append('.').append(r.nextInt(1000));
                }
            }
            case BooleanSchema b -> out.append(r.nextBoolean());
            case EnumSchema e -> out.append(e.values().get(r.nextInt(e.values().size())).toString());
        }
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

package io.bitnetstreams.engine.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.bitnetstreams.engine.json.JsonSchema.ArraySchema;
import io.bitnetstreams.engine.json.JsonSchema.BooleanSchema;
import io.bitnetstreams.engine.json.JsonSchema.EnumSchema;
import io.bitnetstreams.engine.json.JsonSchema.NumberSchema;
import io.bitnetstreams.engine.json.JsonSchema.ObjectSchema;
import io.bitnetstreams.engine.json.JsonSchema.StringSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Validates a JSON document against a {@link JsonSchema}; returns every violation with its path. */
public final class SchemaValidator {

    private SchemaValidator() {
    }

    public static List<String> violations(JsonSchema schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    public static boolean isValid(JsonSchema schema, JsonNode value) {
        return violations(schema, value).isEmpty();
    }

    private static void check(JsonSchema schema, JsonNode v, String path, List<String> out) {
        switch (schema) {
            case ObjectSchema o -> {
                if (!v.isObject()) {
                    out.add(path + ": expected an object");
                    return;
                }
                for (String name : o.required()) {
                    if (!v.has(name)) {
                        out.add(path + ": missing required property \"" + name + "\"");
                    }
                }
                for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    JsonSchema child = o.properties().get(name);
                    if (child != null) {
                        check(child, v.get(name), path + "." + name, out);
                    } else if (!o.additionalProperties()) {
                        out.add(path + ": unexpected property \"" + name + "\"");
                    }
                }
            }
            case ArraySchema a -> {
                if (!v.isArray()) {
                    out.add(path + ": expected an array");
                    return;
                }
                if (v.size() < a.minItems() || v.size() > a.maxItems()) {
                    out.add(path + ": " + v.size() + " items outside [" + a.minItems() + ", " + a.maxItems() + "]");
                }
                for (int i = 0; i < v.size(); i++) {
                    check(a.items(), v.get(i), path + "[" + i + "]", out);
                }
            }
            case StringSchema s -> {
                if (!v.isTextual()) {
                    out.add(path + ": expected a string");
                    return;
                }
                int length = v.asText().codePointCount(0, v.asText().length());
                if (length < s.minLength() || length > s.maxLength()) {
                    out.add(path + ": length " + length + " outside [" + s.minLength() + ", " + s.maxLength() + "]");
                }
            }
            case NumberSchema n -> {
                if (!v.isNumber()) {
                    out.add(path + ": expected a number");
                } else if (n.integer() && !isIntegral(v)) {
                    out.add(path + ": expected an integer");
                }
            }
            case BooleanSchema b -> {
                if (!v.isBoolean()) {
                    out.add(path + ": expected a boolean");
                }
            }
            case EnumSchema e -> {
                boolean found = false;
                for (JsonNode allowed : e.values()) {
                    found |= sameScalar(allowed, v);
                }
                if (!found) {
                    out.add(path + ": not one of the enum values");
                }
            }
        }
    }

    private static boolean isIntegral(JsonNode v) {
        if (v.isIntegralNumber()) {
            return true;
        }
        double d = v.asDouble();
        return Double.isFinite(d) && d == Math.rint(d);
    }

    private static boolean sameScalar(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}

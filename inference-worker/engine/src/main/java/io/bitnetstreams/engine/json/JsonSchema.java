package io.bitnetstreams.engine.json;

import java.util.List;
import java.util.Map;

/**
 * The JSON Schema subset extraction supports: objects (properties, required, additionalProperties),
 * strings (minLength, maxLength), numbers, integers, booleans, enums of scalars and arrays (items,
 * minItems, maxItems). Build instances with {@link JsonSchemaParser}.
 */
public sealed interface JsonSchema {

    /** Properties keep their declared order; constrained decoding emits them in that order. */
    record ObjectSchema(Map<String, JsonSchema> properties, List<String> required, boolean additionalProperties)
            implements JsonSchema {
        public ObjectSchema {
            properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
            required = List.copyOf(required);
        }
    }

    record StringSchema(int minLength, int maxLength) implements JsonSchema {
    }

    record NumberSchema(boolean integer) implements JsonSchema {
    }

    record BooleanSchema() implements JsonSchema {
    }

    /** Values are scalars (string, number, boolean or null) held as Jackson nodes. */
    record EnumSchema(List<com.fasterxml.jackson.databind.JsonNode> values) implements JsonSchema {
        public EnumSchema {
            values = List.copyOf(values);
        }
    }

    record ArraySchema(JsonSchema items, int minItems, int maxItems) implements JsonSchema {
    }
}

package io.bitnetstreams.engine.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.json.JsonSchema.ArraySchema;
import io.bitnetstreams.engine.json.JsonSchema.ObjectSchema;
import io.bitnetstreams.engine.json.JsonSchema.StringSchema;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonSchemaParserTest {

    @Test
    void parsesTheSupportedSubsetKeepingPropertyOrder() {
        JsonSchema s = JsonSchemaParser.parse("""
                {"type":"object","title":"person","properties":{
                  "name":{"type":"string","maxLength":20},
                  "age":{"type":"integer"},
                  "tags":{"type":"array","items":{"enum":["a","b",1,true,null]},"maxItems":3},
                  "address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                 "required":["name"],"additionalProperties":false}""");
        ObjectSchema o = (ObjectSchema) s;
        assertThat(o.properties().keySet()).containsExactly("name", "age", "tags", "address");
        assertThat(o.required()).containsExactly("name");
        assertThat(o.additionalProperties()).isFalse();
        assertThat(o.properties().get("name")).isEqualTo(new StringSchema(0, 20));
        assertThat(((ArraySchema) o.properties().get("tags")).maxItems()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|empty",
            "{|not valid JSON",
            "[]|must be a JSON object",
            "{\"type\":\"string\"}|root schema must have",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"date\"}}}|unsupported type",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"x\"}}}|unsupported keyword \"pattern\"",
            "{\"type\":\"object\",\"required\":[\"a\"]}|not in properties",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"}},\"required\":[\"a\",\"a\"]}|twice",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[]}}}|non-empty array",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[[1]]}}}|enum values must be",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\"}}}|needs \"items\"",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":2}}}|exceeds maxLength",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"maxLength\":-1}}}|must be an integer",
            "{\"type\":\"object\",\"additionalProperties\":{}}|true or false",
            "{\"type\":[\"object\"]}|\"type\" must be one of",
    })
    void rejectsInvalidSchemasWithOneClearMessage(String text, String expected) {
        assertThatThrownBy(() -> JsonSchemaParser.parse(text))
                .isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void boundsNestingDepth() {
        String deep = "{\"type\":\"object\",\"properties\":{\"a\":".repeat(20) + "{\"type\":\"string\"}" + "}}".repeat(20);
        assertThatThrownBy(() -> JsonSchemaParser.parse(deep)).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("nesting deeper");
    }

    @Test
    void validatorReportsEachViolation() {
        JsonSchema s = JsonSchemaParser.parse("""
                {"type":"object","properties":{"n":{"type":"integer"},"s":{"type":"string","maxLength":2},
                 "e":{"enum":[1,"x"]}},"required":["n"],"additionalProperties":false}""");
        assertThat(SchemaValidator.violations(s, RandomSchemas.parse("{\"n\":1,\"s\":\"ab\",\"e\":1.0}"))).isEmpty();
        List<String> v = SchemaValidator.violations(s, RandomSchemas.parse("{\"s\":\"abc\",\"e\":2,\"z\":1}"));
        assertThat(v).hasSize(4).anyMatch(m -> m.contains("missing required property \"n\""))
                .anyMatch(m -> m.contains("length 3")).anyMatch(m -> m.contains("enum"))
                .anyMatch(m -> m.contains("unexpected property \"z\""));
        assertThat(SchemaValidator.isValid(s, RandomSchemas.parse("{\"n\":1.5}"))).isFalse();
    }
}

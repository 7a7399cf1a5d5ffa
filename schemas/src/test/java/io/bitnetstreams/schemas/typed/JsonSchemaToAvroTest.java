package io.bitnetstreams.schemas.typed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.schemas.serde.GenericAvroCodec;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class JsonSchemaToAvroTest {

    private static final String INVOICE = """
            {"type": "object", "required": ["total"], "properties": {
              "total": {"type": "number"},
              "count": {"type": "integer"},
              "paid": {"type": "boolean"},
              "unit price": {"type": ["number", "null"]},
              "currency": {"enum": ["EUR", "USD"]},
              "sender": {"type": "object", "properties": {"name": {"type": "string"}, "city": {"type": "string"}}},
              "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}}},
              "tags": {"type": "array", "items": {"type": "string"}},
              "extra": {"type": "object"},
              "either": {"anyOf": [{"type": "string"}, {"type": "number"}]}
            }}""";

    @Test
    void everyPropertyBecomesANullableTypedField() {
        var mapping = JsonSchemaToAvro.map(INVOICE);
        Schema schema = mapping.schema();
        assertThat(schema.getFullName()).isEqualTo("io.bitnetstreams.typed.Extraction_" + mapping.fingerprint());
        assertThat(mapping.subject()).isEqualTo("bitnet.typed-extraction-" + mapping.fingerprint());
        assertThat(type(schema, "total")).isEqualTo(Schema.Type.DOUBLE);
        assertThat(type(schema, "count")).isEqualTo(Schema.Type.LONG);
        assertThat(type(schema, "paid")).isEqualTo(Schema.Type.BOOLEAN);
        assertThat(type(schema, "unit_price")).isEqualTo(Schema.Type.DOUBLE);
        assertThat(type(schema, "currency")).isEqualTo(Schema.Type.STRING);
        assertThat(type(schema, "sender")).isEqualTo(Schema.Type.RECORD);
        assertThat(type(schema, "lines")).isEqualTo(Schema.Type.ARRAY);
        assertThat(type(schema, "extra")).isEqualTo(Schema.Type.STRING);
        assertThat(type(schema, "either")).isEqualTo(Schema.Type.STRING);
        assertThat(schema.getFields()).allSatisfy(field -> {
            if (!List.of("requestId", "status", "completedAt").contains(field.name())) {
                assertThat(field.schema().isNullable()).as(field.name()).isTrue();
            }
        });
    }

    @Test
    void theFingerprintIgnoresKeyOrderAndWhitespace() {
        String reordered = "{\"properties\":{\"b\":{\"type\":\"string\"},\"a\":{\"type\":\"integer\"}},\"type\":\"object\"}";
        String original = "{ \"type\": \"object\", \"properties\": { \"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"string\"} } }";
        assertThat(JsonSchemaToAvro.fingerprint(reordered)).isEqualTo(JsonSchemaToAvro.fingerprint(original));
        assertThat(JsonSchemaToAvro.fingerprint(original)).isNotEqualTo(JsonSchemaToAvro.fingerprint(INVOICE));
    }

    @Test
    void anExtractionFillsTheRecordAndMisfitsBecomeNull() {
        var mapping = JsonSchemaToAvro.map(INVOICE);
        String json = """
                {"total": 40.5, "count": "three", "paid": true, "unit price": 2, "currency": "EUR",
                 "sender": {"name": "ACME", "city": "Lyon"}, "lines": [{"sku": "A1", "qty": 2}], "tags": ["x"],
                 "extra": {"k": 1}, "either": 7}""";
        GenericRecord record = JsonSchemaToAvro.toRecord(mapping, "r-1", "DONE", 99L, json);
        byte[] bytes = GenericAvroCodec.encode("t", 1, mapping.schema(), record);
        GenericRecord back = (GenericRecord) GenericAvroCodec.decode("t", 1, bytes, mapping.schema());
        assertThat(back.get("total")).isEqualTo(40.5);
        assertThat(back.get("count")).as("text where an integer was asked").isNull();
        assertThat(back.get("paid")).isEqualTo(true);
        assertThat(back.get("unit_price")).isEqualTo(2.0);
        assertThat(((GenericRecord) back.get("sender")).get("city").toString()).isEqualTo("Lyon");
        assertThat(back.get("lines").toString()).contains("A1");
        assertThat(back.get("extra").toString()).isEqualTo("{\"k\":1}");
        assertThat(back.get("either").toString()).isEqualTo("7");
        assertThat(back.get("rawJson").toString()).isEqualTo(json);
    }

    @Test
    void truncatedJsonLeavesTheFieldsNullButKeepsTheText() {
        var mapping = JsonSchemaToAvro.map(INVOICE);
        GenericRecord record = JsonSchemaToAvro.toRecord(mapping, "r-2", "PARTIAL", 1L, "{\"total\": 4");
        assertThat(record.get("total")).isNull();
        assertThat(record.get("rawJson")).isEqualTo("{\"total\": 4");
    }

    @Test
    void absurdSchemasAreRefused() {
        String deep = "{\"type\":\"object\",\"properties\":{\"a\":".repeat(12) + "{\"type\":\"string\"}" + "}}".repeat(12);
        assertThatThrownBy(() -> JsonSchemaToAvro.map(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper");
        assertThatThrownBy(() -> JsonSchemaToAvro.map("not json")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Schema.Type type(Schema schema, String field) {
        return schema.getField(field).schema().getTypes().get(1).getType();
    }
}

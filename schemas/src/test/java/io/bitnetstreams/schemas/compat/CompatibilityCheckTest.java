package io.bitnetstreams.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.schemas.SchemaCatalog;
import java.util.ArrayList;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.junit.jupiter.api.Test;

/** The checker must catch what the registry would reject, and accept what it would accept. */
class CompatibilityCheckTest {

    private static final Schema V1 = SchemaHistory.parse(SchemaHistory.root().resolve("InferenceRequest/v1.avsc"));

    @Test
    void addingARequiredFieldWithoutDefaultIsCaughtAndNamed() {
        Schema broken = withExtraField(V1, new Field("region", Schema.create(Schema.Type.STRING), "Region.", (Object) null));

        assertThat(CompatibilityCheck.incompatibilities(broken, V1))
                .singleElement()
                .asString()
                .contains("READER_FIELD_MISSING_DEFAULT")
                .contains("region");
    }

    @Test
    void changingAFieldTypeIsCaughtAndNamed() {
        String json = V1.toString().replace(
                "{\"name\":\"tenant\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}",
                "{\"name\":\"tenant\",\"type\":\"int\"");
        Schema broken = new Schema.Parser().parse(json);

        assertThat(broken.getField("tenant").schema().getType()).isEqualTo(Schema.Type.INT);
        assertThat(CompatibilityCheck.incompatibilities(broken, V1))
                .anySatisfy(problem -> assertThat(problem).contains("TYPE_MISMATCH").contains("tenant"));
    }

    @Test
    void removingAnEnumSymbolIsCaughtWhenTheEnumHasNoDefault() {
        Schema current = SchemaCatalog.schemaOf(WorkResult.class);
        String json = current.toString()
                .replace("\"symbols\":[\"OK\",\"FAILED\",\"EXPIRED\",\"REJECTED\",\"CANCELLED\"],\"default\":\"FAILED\"",
                        "\"symbols\":[\"OK\",\"FAILED\",\"EXPIRED\",\"REJECTED\"]");
        Schema shrunk = new Schema.Parser().parse(json);

        assertThat(shrunk.getField("status").schema().getEnumSymbols()).doesNotContain("CANCELLED");
        assertThat(CompatibilityCheck.incompatibilities(shrunk, current))
                .anySatisfy(problem -> assertThat(problem).contains("MISSING_ENUM_SYMBOLS").contains("CANCELLED"));
    }

    @Test
    void addingAnOptionalFieldWithDefaultIsCompatible() {
        Schema evolved = withExtraField(V1, new Field("region", Schema.createUnion(
                Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)), "Region.", Field.NULL_DEFAULT_VALUE));

        assertThat(CompatibilityCheck.incompatibilities(evolved, V1)).isEmpty();
        assertThat(CompatibilityCheck.incompatibilities(SchemaCatalog.schemaOf(InferenceRequest.class), V1)).isEmpty();
    }

    private static Schema withExtraField(Schema base, Field extra) {
        var fields = new ArrayList<Field>();
        for (Field field : base.getFields()) {
            fields.add(new Field(field, field.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}

package io.bitnetstreams.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** House rules for every schema: our namespace, docs on every named type and field, timestamps as timestamp-millis. */
class SchemaConventionsTest {

    @Test
    void everyNamedTypeIsInOurNamespaceAndDocumented() {
        forEachNamedType((owner, named) -> {
            assertThat(named.getNamespace()).as(named.getFullName()).isEqualTo("io.bitnetstreams.avro");
            assertThat(named.getDoc()).as("doc of " + named.getFullName()).isNotBlank();
        });
    }

    @Test
    void everyFieldIsDocumented() {
        forEachNamedType((owner, named) -> {
            if (named.getType() == Schema.Type.RECORD) {
                named.getFields().forEach(field -> assertThat(field.doc())
                        .as("doc of %s.%s", named.getFullName(), field.name()).isNotBlank());
            }
        });
    }

    @Test
    void instantsAreTimestampMillis() {
        forEachNamedType((owner, named) -> {
            if (named.getType() != Schema.Type.RECORD) {
                return;
            }
            for (Schema.Field field : named.getFields()) {
                if (field.name().endsWith("At") || field.name().equals("deadline")) {
                    Schema type = nonNull(field.schema());
                    assertThat(type.getLogicalType())
                            .as("%s.%s", named.getFullName(), field.name())
                            .isEqualTo(LogicalTypes.timestampMillis());
                }
            }
        });
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    private static void forEachNamedType(BiConsumer<Schema, Schema> check) {
        var seen = new IdentityHashMap<Schema, Boolean>();
        for (var type : SchemaCatalog.topLevelTypes()) {
            Schema root = SchemaCatalog.schemaOf(type);
            walk(root, root, check, seen);
        }
        assertThat(seen).as("named types visited").hasSizeGreaterThan(20);
    }

    private static void walk(Schema root, Schema schema, BiConsumer<Schema, Schema> check, Map<Schema, Boolean> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.put(schema, true) != null) {
                    return;
                }
                check.accept(root, schema);
                schema.getFields().forEach(f -> walk(root, f.schema(), check, seen));
            }
            case ENUM, FIXED -> {
                if (seen.put(schema, true) == null) {
                    check.accept(root, schema);
                }
            }
            case UNION -> schema.getTypes().forEach(s -> walk(root, s, check, seen));
            case ARRAY -> walk(root, schema.getElementType(), check, seen);
            case MAP -> walk(root, schema.getValueType(), check, seen);
            default -> { }
        }
    }
}

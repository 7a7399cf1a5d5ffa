package io.bitnetstreams.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.schemas.SchemaCatalog;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every current schema must read data written with every released version of itself (BACKWARD). */
class SchemaHistoryCompatibilityTest {

    @TestFactory
    Stream<DynamicTest> currentSchemaReadsEveryHistoricalVersion() {
        return SchemaCatalog.topLevelTypes().stream().flatMap(type -> {
            Schema current = SchemaCatalog.schemaOf(type);
            return SchemaHistory.versionsOf(current.getName()).stream().map(version -> DynamicTest.dynamicTest(
                    current.getName() + " reads " + version.file(),
                    () -> assertThat(CompatibilityCheck.incompatibilities(current, version.schema()))
                            .as("%s (current, reader) vs history/%s/%s (writer)",
                                    current.getFullName(), version.recordName(), version.file())
                            .isEmpty()));
        });
    }

    @Test
    void everyTopLevelTypeHasAReleasedVersion() {
        // A new type without a history file would escape the compatibility check above.
        for (var type : SchemaCatalog.topLevelTypes()) {
            assertThat(SchemaHistory.versionsOf(type.getSimpleName()))
                    .as("history/%s/v1.avsc", type.getSimpleName())
                    .isNotEmpty();
        }
    }

    @Test
    void historyFilesDescribeTheRecordTheirDirectoryNames() {
        for (var type : SchemaCatalog.topLevelTypes()) {
            for (var version : SchemaHistory.versionsOf(type.getSimpleName())) {
                assertThat(version.schema().getFullName()).isEqualTo(type.getName());
            }
        }
    }
}

package io.bitnetstreams.connectors.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.connectors.converter.AvroConnectData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class ResultRowTest {

    private final AvroConnectData data = new AvroConnectData();

    @Test
    void aClassificationResultBecomesOneFlatRow() {
        var row = transform(result(new ClassificationOutput(Map.of("billing", 0.9, "other", 0.1),
                Map.of("billing", -0.1, "other", -2.3), "billing", List.of("billing"))));
        assertThat(row.schema().fields().stream().map(Field::name)).contains("request_id", "status",
                "output_probabilities", "output_argmax", "usage_prompt_tokens", "created_at", "latency_ms")
                .doesNotContain("output_log_likelihoods", "metadata", "output");
        assertThat(row.schema().fields()).allSatisfy(field -> assertThat(field.schema().type())
                .isNotIn(Schema.Type.STRUCT, Schema.Type.MAP, Schema.Type.ARRAY));
        assertThat(row.getString("request_id")).isEqualTo("r-1");
        assertThat(row.getString("output_argmax")).isEqualTo("billing");
        assertThat(row.getString("output_probabilities")).contains("\"billing\":0.9");
        assertThat(row.getInt64("latency_ms")).isEqualTo(250L);
        assertThat(row.getInt32("usage_prompt_tokens")).isEqualTo(12);
    }

    @Test
    void aFailedResultWithoutOutputLeavesItsColumnsNull() {
        var row = transform(result(null));
        assertThat(row.schema().field("output_argmax").schema().isOptional()).isTrue();
        assertThat(row.get("output_argmax")).isNull();
        assertThat(row.getString("status")).isEqualTo("FAILED");
    }

    @Test
    void snakeCaseSplitsCamelCase() {
        assertThat(ResultRow.snakeCase("requestId")).isEqualTo("request_id");
        assertThat(ResultRow.snakeCase("chunksAnswered")).isEqualTo("chunks_answered");
        assertThat(ResultRow.snakeCase("already_snake")).isEqualTo("already_snake");
    }

    private Struct transform(ClassificationResult result) {
        var transform = new ResultRow<SinkRecord>();
        transform.configure(Map.of(ResultRow.DROP, "metadata,output_log_likelihoods,output_selected_labels"));
        Schema schema = data.toConnectSchema(ClassificationResult.getClassSchema());
        Object value = data.toConnectData(ClassificationResult.getClassSchema(), result);
        SinkRecord out = transform.apply(new SinkRecord("t", 0, Schema.STRING_SCHEMA, "r-1", schema, value, 0));
        Struct row = (Struct) out.value();
        row.validate();
        return row;
    }

    private static ClassificationResult result(ClassificationOutput output) {
        return new ClassificationResult("r-1", "t", output == null ? ResultStatus.FAILED : ResultStatus.DONE, output,
                output == null ? "no chunk answered" : null, output == null ? 0 : 1, 1, new Usage(12, 3),
                Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(1_250), "m", Map.of("k", "v"));
    }
}

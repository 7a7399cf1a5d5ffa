package io.bitnetstreams.connectors.converter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.schemas.serde.GenericAvroCodec;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

class AvroConnectDataTest {

    private final AvroConnectData data = new AvroConnectData();

    @Test
    void aRequestWithAUnionTaskSurvivesTheTripThroughConnect() throws IOException {
        Instant created = Instant.ofEpochMilli(1_700_000_000_123L);
        InferenceRequest request = InferenceRequest.newBuilder().setRequestId("r-1").setTenant("t")
                .setCreatedAt(created).setDeadline(created.plusSeconds(60)).setPriority(3)
                .setTask(ExtractTask.newBuilder().setJsonSchema("{\"type\":\"object\"}").setInstruction(null).build())
                .setText("Invoice 12").setMetadata(Map.of("source.path", "/in/a.pdf")).build();

        Schema connect = data.toConnectSchema(InferenceRequest.getClassSchema());
        Struct struct = (Struct) data.toConnectData(InferenceRequest.getClassSchema(), request);
        struct.validate();
        Struct task = struct.getStruct("task");
        assertThat(task.schema().name()).isEqualTo(AvroConnectData.UNION_NAME);
        assertThat(task.getStruct("ExtractTask").getString("jsonSchema")).isEqualTo("{\"type\":\"object\"}");
        assertThat(task.get("ClassifyTask")).isNull();
        assertThat(struct.get("createdAt")).isEqualTo(Date.from(created));

        // a schema that came from Avro maps back to exactly that Avro schema, and the value reads as the generated class
        assertThat(data.fromConnectSchema(connect)).isEqualTo(InferenceRequest.getClassSchema());
        assertThat(roundTrip(connect, struct, InferenceRequest.class)).isEqualTo(request);
    }

    @Test
    void aResultWithMapsAndAnOptionalRecordSurvivesTheTrip() throws IOException {
        ClassificationResult result = new ClassificationResult("r-2", "t", ResultStatus.DONE,
                new ClassificationOutput(Map.of("a", 0.75, "b", 0.25), Map.of("a", -0.2, "b", -1.4), "a", List.of("a")),
                null, 1, 1, new Usage(10, 2), Instant.ofEpochMilli(5), Instant.ofEpochMilli(9), "m", Map.of());
        Schema connect = data.toConnectSchema(ClassificationResult.getClassSchema());
        Struct struct = (Struct) data.toConnectData(ClassificationResult.getClassSchema(), result);
        assertThat(connect.field("output").schema().isOptional()).isTrue();
        assertThat(struct.getString("status")).isEqualTo("DONE");
        assertThat(struct.getStruct("output").getMap("probabilities")).containsEntry("a", 0.75);
        assertThat(roundTrip(connect, struct, ClassificationResult.class)).isEqualTo(result);
    }

    @Test
    void aSchemaBuiltInConnectBecomesAvroAndComesBack() {
        Schema address = SchemaBuilder.struct().name("com.example.Address").optional()
                .field("city", Schema.STRING_SCHEMA).field("zip", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema connect = SchemaBuilder.struct().name("com.example.Order")
                .field("id", Schema.INT64_SCHEMA)
                .field("small", Schema.INT8_SCHEMA)
                .field("price", Decimal.builder(2).build())
                .field("at", Timestamp.SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
                .field("address", address)
                .build();
        org.apache.avro.Schema avro = data.fromConnectSchema(connect);
        assertThat(avro.getFullName()).isEqualTo("com.example.Order");
        assertThat(avro.getField("address").schema().getType()).isEqualTo(org.apache.avro.Schema.Type.UNION);
        assertThat(avro.getField("price").schema().getLogicalType().getName()).isEqualTo("decimal");

        Struct order = new Struct(connect).put("id", 7L).put("small", (byte) 3).put("price", new BigDecimal("12.50"))
                .put("at", new Date(1234)).put("tags", List.of("x", "y"))
                .put("address", new Struct(address).put("city", "Lyon"));
        Object datum = data.fromConnectData(connect, avro, order);
        byte[] bytes = GenericAvroCodec.encode("t", 1, avro, datum);
        Object decoded = GenericAvroCodec.decode("t", 1, bytes, avro);
        Struct back = (Struct) data.toConnectData(avro, decoded);
        assertThat(back.getInt64("id")).isEqualTo(7L);
        assertThat(back.getInt32("small")).isEqualTo(3);
        assertThat(back.get("price")).isEqualTo(new BigDecimal("12.50"));
        assertThat(back.get("at")).isEqualTo(new Date(1234));
        assertThat(back.getArray("tags")).containsExactly("x", "y");
        assertThat(back.getStruct("address").getString("city")).isEqualTo("Lyon");
        assertThat(back.getStruct("address").get("zip")).isNull();
    }

    @Test
    void mapsWithNonStringKeysBecomeArraysOfEntries() {
        Schema connect = SchemaBuilder.struct().name("com.example.Counts")
                .field("byCode", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build()).build();
        org.apache.avro.Schema avro = data.fromConnectSchema(connect);
        assertThat(avro.getField("byCode").schema().getType()).isEqualTo(org.apache.avro.Schema.Type.ARRAY);
        Object datum = data.fromConnectData(connect, avro, new Struct(connect).put("byCode", Map.of(4, "four")));
        byte[] bytes = GenericAvroCodec.encode("t", 1, avro, datum);
        assertThat(GenericAvroCodec.decode("t", 1, bytes, avro).toString()).contains("\"key\": 4").contains("four");
    }

    private <T extends SpecificRecord> T roundTrip(Schema connect, Struct struct, Class<T> type) throws IOException {
        org.apache.avro.Schema avro = data.fromConnectSchema(connect);
        byte[] bytes = GenericAvroCodec.encode("topic", 42, avro, data.fromConnectData(connect, avro, struct));
        var decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        return new SpecificDatumReader<>(type).read(null, decoder);
    }
}

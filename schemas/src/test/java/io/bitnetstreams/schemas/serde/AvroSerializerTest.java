package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.schemas.serde.registry.IncompatibleSchemaException;
import io.bitnetstreams.schemas.serde.registry.SchemaNotFoundException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerializerTest {

    private final InMemoryRegistry registry = new InMemoryRegistry();

    private AvroSerializer<WorkItem> serializer(boolean isKey, Map<String, Object> extra) {
        var config = new HashMap<String, Object>(Map.of("schema.registry.url", "http://registry.invalid"));
        config.putAll(extra);
        var serializer = new AvroSerializer<WorkItem>(registry);
        serializer.configure(config, isKey);
        return serializer;
    }

    @Test
    void topicNameStrategyIsTheDefaultForValuesAndKeys() {
        serializer(false, Map.of()).serialize("work", Records.workItem());
        serializer(true, Map.of()).serialize("work", Records.workItem());

        assertThat(registry.subjects()).containsExactly("work-value", "work-key");
    }

    @Test
    void recordAndTopicRecordStrategiesAcceptConfluentClassNames() {
        serializer(false, Map.of("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .serialize("work", Records.workItem());
        serializer(true, Map.of("key.subject.name.strategy", "TopicRecordNameStrategy"))
                .serialize("work", Records.workItem());

        assertThat(registry.subjects())
                .containsExactly("io.bitnetstreams.avro.WorkItem", "work-io.bitnetstreams.avro.WorkItem");
    }

    @Test
    void headerCarriesTheRegisteredId() {
        registry.put(41, "other-value", Schema.create(Schema.Type.STRING));
        byte[] data = serializer(false, Map.of()).serialize("work", Records.workItem());

        assertThat(data[0]).isZero();
        assertThat(ByteBuffer.wrap(data, 1, 4).getInt()).isEqualTo(42);
    }

    @Test
    void withoutAutoRegisterTheSchemaMustAlreadyBeRegistered() {
        var lookingUp = serializer(false, Map.of("auto.register.schemas", "false"));
        assertThatThrownBy(() -> lookingUp.serialize("work", Records.workItem()))
                .isInstanceOf(SchemaNotFoundException.class);

        registry.put(9, "work-value", WorkItem.getClassSchema());
        byte[] data = lookingUp.serialize("work", Records.workItem());
        assertThat(ByteBuffer.wrap(data, 1, 4).getInt()).isEqualTo(9);
        assertThat(registry.calls).noneMatch(call -> call.startsWith("register"));
    }

    @Test
    void incompatibleSchemaFromTheRegistryPassesThroughUnchanged() {
        Schema clashing = AvroDeserializerTest.withoutField(WorkItem.getClassSchema(), "text");
        clashing = AvroDeserializerTest.withField(clashing, "{\"name\":\"text\",\"type\":\"int\",\"doc\":\"x\"}");
        registry.put(3, "work-value", clashing);

        assertThatThrownBy(() -> serializer(false, Map.of()).serialize("work", Records.workItem()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("text");
    }

    @Test
    void useLatestVersionWritesTheNewerSchemaWithDefaultsFilledIn() throws Exception {
        Schema newer = AvroDeserializerTest.withField(WorkItem.getClassSchema(),
                "{\"name\":\"region\",\"type\":\"string\",\"default\":\"eu\",\"doc\":\"Region.\"}");
        registry.put(1, "work-value", WorkItem.getClassSchema());
        registry.put(2, "work-value", newer);

        byte[] data = serializer(false, Map.of("use.latest.version", true, "auto.register.schemas", false))
                .serialize("work", Records.workItem());

        assertThat(ByteBuffer.wrap(data, 1, 4).getInt()).isEqualTo(2);
        GenericRecord read = new GenericDatumReader<GenericRecord>(newer, newer, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null));
        assertThat(read.get("region")).hasToString("eu");
        assertThat(read.get("requestId")).hasToString("req-42");
        assertThat(read.get("createdAt")).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void useLatestVersionRefusesALatestSchemaThatCannotHoldTheRecord() {
        Schema stricter = AvroDeserializerTest.withField(WorkItem.getClassSchema(),
                "{\"name\":\"region\",\"type\":\"string\",\"doc\":\"Region, required.\"}");
        registry.put(2, "work-value", stricter);

        assertThatThrownBy(() -> serializer(false, Map.of("use.latest.version", "true")).serialize("work", Records.workItem()))
                .isInstanceOf(WrongSchemaException.class)
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT")
                .hasMessageContaining("region");
    }

    @Test
    void recordMissingARequiredFieldFailsAsEncodingError() {
        WorkItem broken = Records.workItem();
        broken.setText(null);

        assertThatThrownBy(() -> serializer(false, Map.of()).serialize("work", broken))
                .isInstanceOf(RecordEncodingException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("work")
                .satisfies(e -> assertThat(((SerdeException) e).deadLetterReason()).isEqualTo(DeadLetterReason.PRODUCTION_ERROR));
    }

    @Test
    void unconfiguredSerializerSaysSo() {
        assertThatThrownBy(() -> new AvroSerializer<WorkItem>(registry).serialize("work", Records.workItem()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
    }
}

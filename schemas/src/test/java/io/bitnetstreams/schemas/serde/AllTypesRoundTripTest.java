package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.schemas.SampleRecords;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AllTypesRoundTripTest {

    @Test
    void everyTopLevelTypeRoundTripsThroughTheSerde() {
        var registry = new InMemoryRegistry();
        var config = Map.of("schema.registry.url", "http://registry.invalid");
        var serializer = new AvroSerializer<SpecificRecord>(registry);
        serializer.configure(config, false);
        var deserializer = new AvroDeserializer<SpecificRecord>(registry);
        deserializer.configure(config, false);

        for (SpecificRecord record : SampleRecords.all()) {
            String topic = record.getSchema().getName();
            assertThat(deserializer.deserialize(topic, serializer.serialize(topic, record)))
                    .as(topic).isEqualTo(record);
        }
        assertThat(registry.subjects()).hasSize(SampleRecords.all().size());
    }

    @Test
    void serdeWithoutATypeHandlesEveryTypeAsStreamsDefaultSerdesDo() {
        var unconfigured = new AvroSerde<SpecificRecord>();
        assertThatThrownBy(unconfigured::serializer).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");

        var serde = new AvroSerde<SpecificRecord>(new InMemoryRegistry());
        serde.configure(Map.of("schema.registry.url", "http://registry.invalid"), false);
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "t-" + record.getSchema().getName();
            assertThat(serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, record)))
                    .isEqualTo(record);
        }
    }
}

package io.bitnetstreams.schemas.serde;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bitnetstreams.schemas.SampleRecords;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Jazzer target: any bytes given to the Confluent-wire-format deserializer either decode or fail with one
 * {@link SerdeException} (malformed, unknown schema id, wrong schema); never another exception, an out-of-memory
 * error from a corrupt length prefix, or a hang. The registry knows the schemas of {@link SampleRecords} (ids 1..n).
 * Seeds: {@code AvroDeserializerFuzzInputs/deserialize/} (those records serialized, made by {@link AvroFuzzSeeds}).
 */
class AvroDeserializerFuzz {

    private static final InMemoryRegistry REGISTRY = new InMemoryRegistry();
    private static final AvroDeserializer<SpecificRecord> DESERIALIZER = deserializer();

    @FuzzTest
    void deserialize(byte[] record) {
        try {
            DESERIALIZER.deserialize("fuzz", record);
        } catch (SerdeException expected) {
            // a bad record is refused with its reason; the dead-letter path takes it from here
        }
    }

    private static AvroDeserializer<SpecificRecord> deserializer() {
        var config = Map.of("schema.registry.url", "http://registry.invalid");
        var serializer = new AvroSerializer<SpecificRecord>(REGISTRY);
        serializer.configure(config, false);
        for (SpecificRecord record : SampleRecords.all()) {
            serializer.serialize("fuzz-" + record.getSchema().getName(), record); // registers the schema
        }
        var deserializer = new AvroDeserializer<SpecificRecord>(REGISTRY);
        deserializer.configure(config, false);
        return deserializer;
    }
}

package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.schemas.SampleRecords;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Corrupted records must fail with one SerdeException (or decode to something), never with anything else. */
class CorruptRecordFuzzTest {

    private static final int MUTATIONS_PER_RECORD = 3_000;

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        var registry = new InMemoryRegistry();
        var config = Map.of("schema.registry.url", "http://registry.invalid");
        var serializer = new AvroSerializer<SpecificRecord>(registry);
        serializer.configure(config, false);
        var deserializer = new AvroDeserializer<SpecificRecord>(registry);
        deserializer.configure(config, false);
        var random = new SplittableRandom(20261121L);
        int refused = 0;

        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "fuzz-" + record.getSchema().getName();
            byte[] valid = serializer.serialize(topic, record);
            for (int i = 0; i < MUTATIONS_PER_RECORD; i++) {
                byte[] corrupt = mutate(valid, random);
                try {
                    deserializer.deserialize(topic, corrupt);
                } catch (SerdeException expected) {
                    refused++;
                } catch (RuntimeException | Error other) {
                    throw new AssertionError("corrupt record " + Arrays.toString(corrupt) + " escaped as " + other, other);
                }
            }
        }
        assertThat(refused).as("most corruptions are detected").isGreaterThan(SampleRecords.all().size() * MUTATIONS_PER_RECORD / 4);
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        // keep the header valid most of the time so the Avro body gets exercised
        int from = random.nextInt(10) == 0 ? 0 : WireFormat.HEADER_SIZE;
        byte[] copy;
        switch (random.nextInt(3)) {
            case 0 -> {
                copy = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    copy[from + random.nextInt(copy.length - from)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> copy = Arrays.copyOf(valid, from + random.nextInt(valid.length - from));
            default -> {
                copy = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(8));
                for (int i = valid.length; i < copy.length; i++) {
                    copy[i] = (byte) random.nextInt(256);
                }
            }
        }
        return copy;
    }
}

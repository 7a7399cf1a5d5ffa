package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our serializer's bytes against bytes written by hand from the Avro 1.12 spec and Confluent's wire format:
 * magic byte 0, big-endian 4-byte schema id, then fields in schema order. Avro ints/longs are zigzag varints
 * ((n << 1) ^ (n >> 63), 7 bits per byte, low group first, high bit = more); strings/bytes are a zigzag length
 * then the UTF-8 bytes; a union is the zigzag branch index then the value; an enum is its zigzag ordinal;
 * arrays/maps are blocks (zigzag count, items, ..., 0); doubles are 8 bytes little-endian IEEE 754.
 */
class WireFormatBytesTest {

    private static final int SCHEMA_ID = 0x01020304;

    private final InMemoryRegistry registry = new InMemoryRegistry();

    @Test
    void workResultMatchesHandEncodedBytes() {
        registry.put(SCHEMA_ID, "results-value", WorkResult.getClassSchema());
        WorkResult result = WorkResult.newBuilder()
                .setRequestId("r1")
                .setChunkIndex(2)
                .setChunkCount(3)
                .setStatus(WorkStatus.OK)
                .setOutput(new GenerationOutput("hi", FinishReason.LENGTH))
                .setError(null)
                .setUsage(new Usage(10, 300))
                .setTimings(new WorkTimings(5L, 64L, 1L, 2L, 3L))
                .setWorkerId("w")
                .setModelId("m")
                .setCompletedAt(Instant.ofEpochMilli(1000))
                .setFinalResultPublished(true)
                .build();

        byte[] expected = bytes(
                0x00,                   // magic byte
                0x01, 0x02, 0x03, 0x04, // schema id 0x01020304, big-endian
                0x04, 'r', '1',         // requestId: length 2 -> zigzag 4, then "r1"
                0x04,                   // chunkIndex 2 -> zigzag 4
                0x06,                   // chunkCount 3 -> zigzag 6
                0x00,                   // status: enum ordinal 0 (OK)
                0x06,                   // output: union branch 3 of [null, Classification, Extraction, Generation]
                0x04, 'h', 'i',         //   GenerationOutput.text "hi"
                0x02,                   //   finishReason: ordinal 1 (LENGTH) -> zigzag 2
                0x00,                   // error: union branch 0 (null), no value bytes
                0x14,                   // usage.promptTokens 10 -> zigzag 20 = 0x14
                0xD8, 0x04,             // usage.generatedTokens 300 -> zigzag 600 = 0b100_1011000: 0x58|0x80, 0x04
                0x0A,                   // timings.queuedMs 5 -> zigzag 10
                0x80, 0x01,             // timings.inferenceMs 64 -> zigzag 128: 0x00|0x80, 0x01
                0x02,                   // timings.engineQueuedMs 1 -> zigzag 2
                0x04,                   // timings.prefillMs 2 -> zigzag 4
                0x06,                   // timings.decodeMs 3 -> zigzag 6
                0x02, 'w',              // workerId "w"
                0x02, 'm',              // modelId "m"
                0xD0, 0x0F,             // completedAt 1000 ms -> zigzag 2000 = 0b1111_1010000: 0x50|0x80, 0x0F
                0x01,                   // finalResultPublished: true
                0x00);                  // deadlineCheck: false

        assertWritesAndReadsBack("results", result, expected);
    }

    @Test
    void inferenceRequestWithMapsArraysAndNegativeIntMatchesHandEncodedBytes() {
        registry.put(SCHEMA_ID, "requests-value", InferenceRequest.getClassSchema());
        InferenceRequest request = InferenceRequest.newBuilder()
                .setRequestId("a")
                .setTenant("t")
                .setCreatedAt(Instant.ofEpochMilli(1))
                .setDeadline(null)
                .setPriority(-1)
                .setTask(ClassifyTask.newBuilder()
                        .setLabels(List.of("x", "y"))
                        .setInstruction(null)
                        .setExamples(List.of())
                        .setMultiLabel(true)
                        .setThresholds(Map.of("x", 0.5))
                        .build())
                .setText("")
                .setMetadata(Map.of())
                .build();

        byte[] expected = bytes(
                0x00, 0x01, 0x02, 0x03, 0x04,  // header
                0x02, 'a',                     // requestId "a"
                0x02, 't',                     // tenant "t"
                0x02,                          // createdAt 1 ms -> zigzag 2
                0x00,                          // deadline: union branch 0 (null)
                0x01,                          // priority -1 -> zigzag 1
                0x00,                          // task: union branch 0 (ClassifyTask)
                0x04, 0x02, 'x', 0x02, 'y', 0x00, // labels: block of 2, "x", "y", end block
                0x00,                          // instruction: null branch
                0x00,                          // examples: empty array = just the end block
                0x01,                          // multiLabel true
                0x02, 0x02, 'x',               // thresholds: block of 1 entry, key "x"
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F, // 0.5 = 0x3FE0000000000000, little-endian
                0x00,                          // thresholds end block
                0x00,                          // text "": length 0
                0x00);                         // metadata: empty map

        assertWritesAndReadsBack("requests", request, expected);
    }

    private <T extends org.apache.avro.specific.SpecificRecord> void assertWritesAndReadsBack(
            String topic, T record, byte[] expected) {
        var serializer = new AvroSerializer<T>(registry);
        serializer.configure(Map.of("schema.registry.url", "http://registry.invalid"), false);
        byte[] actual = serializer.serialize(topic, record);
        assertThat(HexFormat.ofDelimiter(" ").formatHex(actual))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(expected));

        @SuppressWarnings("unchecked")
        var deserializer = new AvroDeserializer<>((Class<T>) record.getClass(), registry);
        assertThat(deserializer.deserialize(topic, expected)).isEqualTo(record);
    }

    private static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }
}

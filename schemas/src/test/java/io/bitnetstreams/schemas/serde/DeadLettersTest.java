package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.schemas.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static final DeadLetters.Source SOURCE = new DeadLetters.Source("bitnet.requests", 2, 41L);

    @Test
    void aRecordAtTheBrokerLimitMakesADeadLetterWellUnderTheProducerLimit() {
        byte[] value = random(1_048_400);
        byte[] key = random(9_000);
        String message = "x".repeat(2_000_000);
        DeadLetter letter = DeadLetters.of(DeadLetterReason.INVALID_REQUEST, message, key, value, SOURCE,
                "topology.validate", new String(key, StandardCharsets.ISO_8859_1), 1L,
                DeadLetters.maxOriginalValueBytes(Map.of()));

        assertThat(letter.getOriginalTruncated()).isTrue();
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(Arrays.copyOf(value, DeadLetters.MAX_ORIGINAL_VALUE_BYTES));
        assertThat(bytes(letter.getOriginalKey())).isEqualTo(Arrays.copyOf(key, DeadLetters.MAX_ORIGINAL_KEY_BYTES));
        assertThat(letter.getOriginalValueSize()).isEqualTo(value.length);
        assertThat(letter.getOriginalKeySize()).isEqualTo(key.length);
        assertThat(letter.getOriginalValueSha256()).hasSize(64).isEqualTo(DeadLetters.sha256(value));
        assertThat(letter.getMessage()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_MESSAGE_CHARS);
        assertThat(letter.getRequestId()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_REQUEST_ID_CHARS);
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");
        assertThat(letter.getSourcePartition()).isEqualTo(2);
        assertThat(letter.getSourceOffset()).isEqualTo(41L);

        var serializer = new AvroSerializer<DeadLetter>(new InMemoryRegistry());
        serializer.configure(Map.of("schema.registry.url", "http://registry.invalid"), false);
        byte[] serialized = serializer.serialize("bitnet.dlq", letter);
        assertThat(serialized.length).isLessThan(DeadLetters.MAX_ORIGINAL_VALUE_BYTES + 32 * 1024);
    }

    @Test
    void smallRecordsAreKeptWhole() {
        byte[] value = random(500);
        DeadLetter letter = DeadLetters.of(DeadLetterReason.MALFORMED_RECORD, "bad", "k".getBytes(StandardCharsets.UTF_8),
                value, SOURCE, "stage", null, 1L, DeadLetters.MAX_ORIGINAL_VALUE_BYTES);
        assertThat(letter.getOriginalTruncated()).isFalse();
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(value);
        assertThat(letter.getOriginalValueSize()).isEqualTo(500);
    }

    @Test
    void tombstonesHaveNoValueSizeOrHash() {
        DeadLetter letter = DeadLetters.of(DeadLetterReason.INVALID_REQUEST, null, null, null, SOURCE, "stage", null, 1L,
                DeadLetters.MAX_ORIGINAL_VALUE_BYTES);
        assertThat(letter.getOriginalValue()).isNull();
        assertThat(letter.getOriginalValueSize()).isNull();
        assertThat(letter.getOriginalValueSha256()).isNull();
        assertThat(letter.getMessage()).isEqualTo("INVALID_REQUEST");
    }

    @Test
    void theValueBudgetFollowsTheProducersMaxRequestSize() {
        assertThat(DeadLetters.maxOriginalValueBytes(Map.of())).isEqualTo(DeadLetters.MAX_ORIGINAL_VALUE_BYTES);
        assertThat(DeadLetters.maxOriginalValueBytes(Map.of("max.request.size", "65536"))).isEqualTo(32 * 1024);
        assertThat(DeadLetters.maxOriginalValueBytes(Map.of("producer.max.request.size", 40_000,
                "max.request.size", "10485760"))).isEqualTo(40_000 - 32 * 1024);
        assertThat(DeadLetters.maxOriginalValueBytes(Map.of("max.request.size", "1000"))).isZero();
    }

    @Test
    void cuttingTextNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        String text = "a".repeat(DeadLetters.MAX_MESSAGE_CHARS - 2) + emoji + "tail";
        DeadLetter letter = DeadLetters.of(DeadLetterReason.PROCESSING_ERROR, text, null, null, SOURCE, "s", null, 1L, 0);
        String kept = letter.getMessage().toString();
        assertThat(kept).endsWith("…").doesNotContain("\uD83D");
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}

package io.bitnetstreams.schemas;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The one way to build a {@link DeadLetter}: whoever dead-letters a record (topology, its exception handlers, the
 * worker) calls {@link #of}. A dead letter must always be writable, or the exactly-once transaction that carries it
 * fails and the same record is processed again forever: so the original key and value are kept whole only while
 * they are small, else capped to a prefix, with their sizes, the value's SHA-256 and the coordinates of the full
 * record ({@code sourceTopic/sourcePartition/sourceOffset}). Free text (message, request id) is capped too.
 */
public final class DeadLetters {

    /** Most bytes of an original value a dead letter keeps (when the producer's limit leaves room for them). */
    public static final int MAX_ORIGINAL_VALUE_BYTES = 64 * 1024;
    /** Most bytes of an original key a dead letter keeps. */
    public static final int MAX_ORIGINAL_KEY_BYTES = 4 * 1024;
    /** Most characters of the human-readable message. */
    public static final int MAX_MESSAGE_CHARS = 4_000;
    /** Most characters of the request id. */
    public static final int MAX_REQUEST_ID_CHARS = 1_000;
    /**
     * Room left under {@code max.request.size} for everything but the value prefix: the key prefix (4 KiB), message
     * and request id (at most about 15 KiB of UTF-8), topic names, stage, hash and the record-batch headers.
     */
    public static final int RESERVED_BYTES = 32 * 1024;
    /** Kafka's default {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;

    private DeadLetters() {}

    /** Where the dead-lettered record came from. */
    public record Source(String topic, int partition, long offset) {
        public static final Source UNKNOWN = new Source("", -1, -1L);
    }

    /**
     * A dead letter for the record with {@code key}/{@code value} read at {@code source}, keeping at most
     * {@code maxValueBytes} of its value (see {@link #maxOriginalValueBytes(Map)}).
     */
    public static DeadLetter of(DeadLetterReason reason, String message, byte[] key, byte[] value, Source source,
            String stage, String requestId, long nowMillis, int maxValueBytes) {
        int valueCap = Math.max(0, Math.min(maxValueBytes, MAX_ORIGINAL_VALUE_BYTES));
        boolean truncated = (key != null && key.length > MAX_ORIGINAL_KEY_BYTES)
                || (value != null && value.length > valueCap);
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setMessage(cut(message == null ? reason.name() : message, MAX_MESSAGE_CHARS))
                .setOriginalKey(prefix(key, MAX_ORIGINAL_KEY_BYTES))
                .setOriginalValue(prefix(value, valueCap))
                .setOriginalTruncated(truncated)
                .setOriginalKeySize(key == null ? null : key.length)
                .setOriginalValueSize(value == null ? null : value.length)
                .setOriginalValueSha256(value == null ? null : sha256(value))
                .setSourceTopic(source.topic() == null ? "" : source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setStage(stage)
                .setRequestId(requestId == null ? null : cut(requestId, MAX_REQUEST_ID_CHARS))
                .setFailedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    /**
     * How many bytes of an original value fit a dead letter sent by a producer with these client settings:
     * {@value #MAX_ORIGINAL_VALUE_BYTES}, less when {@code max.request.size} (or Streams'
     * {@code producer.max.request.size}) leaves no room for them.
     */
    public static int maxOriginalValueBytes(Map<String, ?> clientConfig) {
        return maxOriginalValueBytes(maxRequestSize(clientConfig));
    }

    /**
     * The largest input record (key plus value bytes) the pipeline accepts with these client settings: the producer's
     * {@code max.request.size} less {@value #RESERVED_BYTES} bytes, because an accepted record is forwarded again
     * (repartitioned by request id, with provenance headers) and must still fit. Larger records are dead letters.
     */
    public static int maxInputRecordBytes(Map<String, ?> clientConfig) {
        return Math.max(0, maxRequestSize(clientConfig) - RESERVED_BYTES);
    }

    /** {@code producer.max.request.size} (Streams' scoped key), else {@code max.request.size}, else Kafka's default. */
    static int maxRequestSize(Map<String, ?> clientConfig) {
        Object raw = clientConfig.get("producer." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (raw == null) {
            raw = clientConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        if (raw != null) {
            try {
                return Integer.parseInt(raw.toString().strip());
            } catch (NumberFormatException e) {
                // Kafka's own config validation reports the bad value; keep the default budget here
            }
        }
        return DEFAULT_MAX_REQUEST_SIZE;
    }

    /** The value budget under a producer {@code max.request.size}. */
    public static int maxOriginalValueBytes(int maxRequestSize) {
        return Math.max(0, Math.min(MAX_ORIGINAL_VALUE_BYTES, maxRequestSize - RESERVED_BYTES));
    }

    /** Lowercase hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static ByteBuffer prefix(byte[] bytes, int max) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes.length <= max ? bytes : Arrays.copyOf(bytes, max));
    }

    /** At most {@code max} characters, never splitting a surrogate pair, marked with an ellipsis when cut. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}

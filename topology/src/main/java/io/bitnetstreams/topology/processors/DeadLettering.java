package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Builds dead letters and sends them to the dead-letter sink of the topology. */
public final class DeadLettering {

    private final String sinkName;
    private final String deadLetterTopic;
    private final TopologyMetrics metrics;

    public DeadLettering(String sinkName, String deadLetterTopic, TopologyMetrics metrics) {
        this.sinkName = sinkName;
        this.deadLetterTopic = deadLetterTopic;
        this.metrics = metrics;
    }

    /** A dead letter for a record read from {@code topic/partition/offset}. */
    public static DeadLetter deadLetter(DeadLetterReason reason, String message, byte[] rawKey, byte[] rawValue,
            String topic, int partition, long offset, String stage, String requestId, long now) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setMessage(message == null ? reason.name() : message)
                .setOriginalKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
                .setOriginalValue(rawValue == null ? null : ByteBuffer.wrap(rawValue))
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setStage(stage)
                .setRequestId(requestId)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
    }

    /**
     * Dead-letters the record being processed; when {@code status} is given (the request passed dedupe, so this
     * instance owns its status), the request is marked DEAD_LETTERED.
     */
    public void send(ProcessorContext<String, Object> context, Record<?, ?> record, byte[] rawKey, byte[] rawValue,
            DeadLetterReason reason, String message, String stage, String requestId,
            KeyValueStore<String, RequestStatus> status) {
        long now = context.currentSystemTimeMs();
        var metadata = context.recordMetadata();
        Provenance source = Provenance.of(record.headers(), metadata.map(m -> m.topic()).orElse(""),
                metadata.map(m -> m.partition()).orElse(-1), metadata.map(m -> m.offset()).orElse(-1L));
        DeadLetter letter = deadLetter(reason, message, rawKey, rawValue, source.topic(), source.partition(),
                source.offset(), stage, requestId, now);
        context.forward(new Record<String, Object>(requestId, letter, record.timestamp()), sinkName);
        metrics.deadLetter(reason);
        metrics.recordOut(deadLetterTopic);
        if (status != null && requestId != null) {
            status.put(requestId, new RequestStatus(requestId, RequestState.DEAD_LETTERED, 0, 0,
                    reason + ": " + message, now));
        }
    }
}

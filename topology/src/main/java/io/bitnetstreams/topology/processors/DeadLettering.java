package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Builds dead letters and sends them to the dead-letter sink of the topology. */
public final class DeadLettering {

    private final String sinkName;
    private final String deadLetterTopic;
    private final TopologyMetrics metrics;
    private final int maxOriginalValueBytes;

    /**
     * @param maxOriginalValueBytes most bytes of an original value a dead letter keeps
     *                              ({@link DeadLetters#maxOriginalValueBytes(java.util.Map)} of the producer settings)
     */
    public DeadLettering(String sinkName, String deadLetterTopic, TopologyMetrics metrics, int maxOriginalValueBytes) {
        this.sinkName = sinkName;
        this.deadLetterTopic = deadLetterTopic;
        this.metrics = metrics;
        this.maxOriginalValueBytes = maxOriginalValueBytes;
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
        Provenance provenance = Provenance.of(record.headers(), metadata.map(m -> m.topic()).orElse(""),
                metadata.map(m -> m.partition()).orElse(-1), metadata.map(m -> m.offset()).orElse(-1L));
        var source = new DeadLetters.Source(provenance.topic(), provenance.partition(), provenance.offset());
        DeadLetter letter = DeadLetters.of(reason, message, rawKey, rawValue, source, stage, requestId, now,
                maxOriginalValueBytes);
        context.forward(new Record<String, Object>(requestId, letter, record.timestamp()), sinkName);
        metrics.deadLetter(reason);
        metrics.recordOut(deadLetterTopic);
        if (status != null && requestId != null) {
            status.put(requestId, new RequestStatus(requestId, RequestState.DEAD_LETTERED, 0, 0,
                    reason + ": " + message, now));
        }
    }
}

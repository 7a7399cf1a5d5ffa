package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drops a request whose id was seen within the dedupe window (counted as a duplicate) and marks new ones RECEIVED.
 * A punctuator forgets ids older than the window, and statuses untouched for the window that are final (or stuck
 * at RECEIVED after a processing error); IN_PROGRESS statuses end with their request's deadline.
 */
public final class DedupeProcessor implements Processor<String, Envelope<InferenceRequest>, String, Object> {

    private final String dedupeStoreName;
    private final String statusStoreName;
    private final long windowMs;
    private final Duration cleanupInterval;
    private final String next;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, RequestStatus> status;

    public DedupeProcessor(String dedupeStoreName, String statusStoreName, Duration window, Duration cleanupInterval,
            String next, TopologyMetrics metrics) {
        this.dedupeStoreName = dedupeStoreName;
        this.statusStoreName = statusStoreName;
        this.windowMs = window.toMillis();
        this.cleanupInterval = cleanupInterval;
        this.next = next;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.seen = context.getStateStore(dedupeStoreName);
        this.status = context.getStateStore(statusStoreName);
        context.schedule(cleanupInterval, PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
    }

    @Override
    public void process(Record<String, Envelope<InferenceRequest>> record) {
        String id = record.value().value().getRequestId();
        if (id == null || id.isBlank() || !id.equals(record.key())) {
            // not ours to remember (and not on the id's partition): validation dead-letters it
            context.forward(record, next);
            return;
        }
        long now = context.currentSystemTimeMs();
        Long firstSeen = seen.get(id);
        if (firstSeen != null && now - firstSeen < windowMs) {
            metrics.duplicate();
            return;
        }
        seen.put(id, now);
        status.put(id, RequestStatus.of(id, RequestState.RECEIVED, now));
        context.forward(record, next);
    }

    private void forgetExpired(long now) {
        List<String> expiredIds = new ArrayList<>();
        try (var all = seen.all()) {
            all.forEachRemaining(entry -> {
                if (now - entry.value >= windowMs) {
                    expiredIds.add(entry.key);
                }
            });
        }
        expiredIds.forEach(seen::delete);
        List<String> expiredStatuses = new ArrayList<>();
        try (var all = status.all()) {
            all.forEachRemaining(entry -> {
                // RECEIVED moves on within the same record unless a processing error dead-lettered it
                boolean settled = entry.value.state().isFinal() || entry.value.state() == RequestState.RECEIVED;
                if (settled && now - entry.value.updatedAt() >= windowMs) {
                    expiredStatuses.add(entry.key);
                }
            });
        }
        expiredStatuses.forEach(status::delete);
    }
}

package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.results.FinalResults;
import io.bitnetstreams.contract.results.FinalResults.FinalResult;
import io.bitnetstreams.contract.results.PendingRequest;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the workers' answers per request; when every chunk has answered, or the request's deadline passes
 * (checked by a wall-clock punctuator), publishes exactly one final result ({@link FinalResults#of}) and forgets the
 * request.
 * <p>
 * A one-part request whose worker may publish the final result itself ({@link PendingRequest#workerPublishes}) ends
 * differently: a work result saying {@code finalResultPublished} only ends it (status, metrics; nothing published);
 * at the deadline a deadline check goes to the request's partition of the work-results topic, and the deadline
 * result is published only when that check is read back with the request still open (the protocol is in
 * {@link FinalResults}).
 */
public final class ReassembleProcessor implements Processor<String, Envelope<WorkResult>, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(ReassembleProcessor.class);

    /** Sink node and topic of each task's final results. */
    public record ResultSink(String node, String topic) {}

    private final String pendingStoreName;
    private final String statusStoreName;
    private final Map<TaskKind, ResultSink> sinks;
    private final String deadlineCheckSink;
    private final Duration punctuateInterval;
    private final TopologyMetrics metrics;
    /** Requests whose deadline check is on its way (this instance's; after a restart a check is written again). */
    private final Set<String> checksInFlight = new HashSet<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingRequest> pending;
    private KeyValueStore<String, RequestStatus> status;

    public ReassembleProcessor(String pendingStoreName, String statusStoreName, Map<TaskKind, ResultSink> sinks,
            String deadlineCheckSink, Duration punctuateInterval, TopologyMetrics metrics) {
        this.pendingStoreName = pendingStoreName;
        this.statusStoreName = statusStoreName;
        this.sinks = Map.copyOf(sinks);
        this.deadlineCheckSink = deadlineCheckSink;
        this.punctuateInterval = punctuateInterval;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(pendingStoreName);
        this.status = context.getStateStore(statusStoreName);
        context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::publishOverdue);
    }

    @Override
    public void process(Record<String, Envelope<WorkResult>> record) {
        WorkResult result = record.value().value();
        if (result.getDeadlineCheck()) {
            checkDeadline(result.getRequestId());
            return;
        }
        PendingRequest request = pending.get(result.getRequestId());
        int index = result.getChunkIndex();
        if (request == null || index < 0 || index >= request.chunkCount() || result.getChunkCount() != request.chunkCount()) {
            // finished already (a worker retry), or never ours: nothing waits for this answer
            if (result.getFinalResultPublished()) {
                // cannot happen by the protocol: a claim is always read before the deadline check that ends the request
                LOG.warn("work result {}#{} says its worker published the final result, but the request is not open",
                        result.getRequestId(), index);
            } else {
                LOG.debug("ignoring work result {}#{} with no pending request", result.getRequestId(), index);
            }
            metrics.lateResult();
            return;
        }
        if (request.answers().containsKey(index)) {
            metrics.lateResult();
            return;
        }
        PendingRequest updated = request.withAnswer(index, result);
        long now = context.currentSystemTimeMs();
        if (result.getFinalResultPublished()) {
            // the worker published it (its item allowed it, so the request is one of workerPublishes)
            endPublishedByWorker(updated, now);
        } else if (updated.complete()) {
            publish(updated, now, false);
        } else {
            pending.put(updated.requestId(), updated);
            status.put(updated.requestId(), new RequestStatus(updated.requestId(), RequestState.IN_PROGRESS,
                    updated.answers().size(), updated.chunkCount(), null, now));
        }
    }

    private void publishOverdue(long now) {
        List<PendingRequest> overdue = new ArrayList<>();
        try (var all = pending.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.deadline() <= now) {
                    overdue.add(entry.value);
                }
            });
        }
        for (PendingRequest request : overdue) {
            if (!request.workerPublishes()) {
                publish(request, now, true);
            } else if (checksInFlight.add(request.requestId())) {
                writeDeadlineCheck(request, now);
            }
        }
    }

    /**
     * The deadline check of {@code request}: a work result marked {@code deadlineCheck}, keyed by the request id like
     * the worker's, so it lands on the same partition of the work-results topic and is read back in that order.
     */
    private void writeDeadlineCheck(PendingRequest request, long now) {
        WorkResult check = WorkResult.newBuilder()
                .setRequestId(request.requestId())
                .setChunkIndex(0)
                .setChunkCount(request.chunkCount())
                .setStatus(WorkStatus.EXPIRED)
                .setOutput(null)
                .setError("deadline check")
                .setUsage(new Usage(0, 0))
                .setTimings(new WorkTimings(0L, 0L, 0L, 0L, 0L))
                .setWorkerId("topology")
                .setModelId("")
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setDeadlineCheck(true)
                .build();
        context.forward(new Record<String, Object>(request.requestId(), check, now), deadlineCheckSink);
        metrics.deadlineCheck("written");
    }

    /** A deadline check read back: the request still open means no worker published its final result. */
    private void checkDeadline(String requestId) {
        checksInFlight.remove(requestId);
        PendingRequest request = pending.get(requestId);
        if (request == null) {
            metrics.deadlineCheck("ended-before");
            return;
        }
        metrics.deadlineCheck("published");
        publish(request, context.currentSystemTimeMs(), true);
    }

    /** The worker published {@code request}'s final result: the same rule says what it was; record the end. */
    private void endPublishedByWorker(PendingRequest request, long now) {
        FinalResult finalResult = FinalResults.of(request, now, false);
        checksInFlight.remove(request.requestId());
        forget(request, finalResult, now);
        metrics.publishedByWorker(finalResult.status().name());
    }

    private void publish(PendingRequest request, long now, boolean deadlinePassed) {
        FinalResult finalResult = FinalResults.of(request, now, deadlinePassed);
        ResultSink sink = sinks.get(request.kind());
        context.forward(new Record<String, Object>(request.requestId(), finalResult.record(), now), sink.node());
        forget(request, finalResult, now);
        metrics.recordOut(sink.topic());
    }

    private void forget(PendingRequest request, FinalResult finalResult, long now) {
        pending.delete(request.requestId());
        RequestState state = switch (finalResult.status()) {
            case DONE -> RequestState.DONE;
            case PARTIAL -> RequestState.PARTIAL;
            case FAILED -> RequestState.FAILED;
        };
        status.put(request.requestId(), new RequestStatus(request.requestId(), state, request.answers().size(),
                request.chunkCount(), finalResult.error(), now));
        metrics.finished(request.createdAt(), now);
    }
}

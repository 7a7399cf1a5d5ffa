package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.topology.ResultMerger;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.PendingRequest;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the workers' answers per request; when every chunk has answered, or the request's deadline passes
 * (checked by a wall-clock punctuator), publishes exactly one final result and forgets the request.
 */
public final class ReassembleProcessor implements Processor<String, Envelope<WorkResult>, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(ReassembleProcessor.class);

    /** Sink node and topic of each task's final results. */
    public record ResultSink(String node, String topic) {}

    private final String pendingStoreName;
    private final String statusStoreName;
    private final Map<TaskKind, ResultSink> sinks;
    private final Duration punctuateInterval;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingRequest> pending;
    private KeyValueStore<String, RequestStatus> status;

    public ReassembleProcessor(String pendingStoreName, String statusStoreName, Map<TaskKind, ResultSink> sinks,
            Duration punctuateInterval, TopologyMetrics metrics) {
        this.pendingStoreName = pendingStoreName;
        this.statusStoreName = statusStoreName;
        this.sinks = Map.copyOf(sinks);
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
        PendingRequest request = pending.get(result.getRequestId());
        int index = result.getChunkIndex();
        if (request == null || index < 0 || index >= request.chunkCount() || result.getChunkCount() != request.chunkCount()) {
            // finished already (a worker retry), or never ours: nothing waits for this answer
            LOG.debug("ignoring work result {}#{} with no pending request", result.getRequestId(), index);
            metrics.lateResult();
            return;
        }
        if (request.answers().containsKey(index)) {
            metrics.lateResult();
            return;
        }
        PendingRequest updated = request.withAnswer(index, result);
        long now = context.currentSystemTimeMs();
        if (updated.complete()) {
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
        overdue.forEach(request -> publish(request, now, true));
    }

    private void publish(PendingRequest request, long now, boolean deadlinePassed) {
        int answered = (int) request.okCount();
        int total = request.chunkCount();
        Object output = switch (request.kind()) {
            case CLASSIFY -> ResultMerger.classification(request);
            case EXTRACT -> ResultMerger.extraction(request);
            case GENERATE -> ResultMerger.generation(request);
        };
        ResultStatus resultStatus = output == null ? ResultStatus.FAILED
                : answered == total ? ResultStatus.DONE : ResultStatus.PARTIAL;
        String error = resultStatus == ResultStatus.DONE ? null : errorOf(request, deadlinePassed, answered, total);
        Usage usage = new Usage(
                request.answers().values().stream().mapToInt(a -> a.getUsage().getPromptTokens()).sum(),
                request.answers().values().stream().mapToInt(a -> a.getUsage().getGeneratedTokens()).sum());
        String modelId = request.answers().values().stream().map(WorkResult::getModelId)
                .filter(id -> id != null && !id.isEmpty()).findFirst().orElse("");
        Instant createdAt = Instant.ofEpochMilli(request.createdAt());
        Instant completedAt = Instant.ofEpochMilli(now);
        Object finalResult = switch (request.kind()) {
            case CLASSIFY -> new ClassificationResult(request.requestId(), request.tenant(), resultStatus,
                    (ClassificationOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
            case EXTRACT -> new ExtractionResult(request.requestId(), request.tenant(), resultStatus,
                    (ExtractionOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
            case GENERATE -> new GenerationResult(request.requestId(), request.tenant(), resultStatus,
                    (GenerationOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
        };
        ResultSink sink = sinks.get(request.kind());
        context.forward(new Record<String, Object>(request.requestId(), finalResult, now), sink.node());
        pending.delete(request.requestId());
        RequestState state = switch (resultStatus) {
            case DONE -> RequestState.DONE;
            case PARTIAL -> RequestState.PARTIAL;
            case FAILED -> RequestState.FAILED;
        };
        status.put(request.requestId(), new RequestStatus(request.requestId(), state, request.answers().size(), total,
                error, now));
        metrics.recordOut(sink.topic());
        metrics.finished(request.createdAt(), now);
    }

    private static String errorOf(PendingRequest request, boolean deadlinePassed, int answered, int total) {
        String errors = request.answers().values().stream().map(request::problemOf)
                .filter(java.util.Objects::nonNull).distinct().limit(5).collect(Collectors.joining("; "));
        String head = (deadlinePassed ? "deadline passed with " : "") + answered + " of " + total + " chunks answered";
        return errors.isEmpty() ? head : head + ": " + errors;
    }
}

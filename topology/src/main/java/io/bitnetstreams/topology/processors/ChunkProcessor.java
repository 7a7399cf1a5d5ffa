package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.results.FinalResults;
import io.bitnetstreams.contract.results.PendingRequest;
import io.bitnetstreams.topology.TextChunker;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a valid request into work items: classification and extraction documents are split into chunks of the
 * token budget, generation is one item. Remembers the request in the pending store for reassembly. The one work item
 * of a one-part request of a kind in {@code workerPublishes} carries the request's deadline as its
 * {@code finalResultDeadline}: its worker may publish the final result itself ({@link FinalResults}).
 */
public final class ChunkProcessor implements Processor<String, Envelope<InferenceRequest>, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkProcessor.class);

    /** Sink node and topic of each task's work. */
    public record WorkSink(String node, String topic) {}

    private final TextChunker chunker;
    private final String pendingStoreName;
    private final String statusStoreName;
    private final Map<TaskKind, WorkSink> sinks;
    private final long reassemblyTimeoutMs;
    private final long dedupeWindowMs;
    private final TopologyMetrics metrics;
    private final Predicate<TaskKind> workerPublishes;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingRequest> pending;
    private KeyValueStore<String, RequestStatus> status;

    public ChunkProcessor(TextChunker chunker, String pendingStoreName, String statusStoreName,
            Map<TaskKind, WorkSink> sinks, Duration reassemblyTimeout, Duration dedupeWindow, TopologyMetrics metrics,
            Predicate<TaskKind> workerPublishes) {
        this.chunker = chunker;
        this.pendingStoreName = pendingStoreName;
        this.statusStoreName = statusStoreName;
        this.sinks = Map.copyOf(sinks);
        this.reassemblyTimeoutMs = reassemblyTimeout.toMillis();
        this.dedupeWindowMs = dedupeWindow.toMillis();
        this.metrics = metrics;
        this.workerPublishes = workerPublishes;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(pendingStoreName);
        this.status = context.getStateStore(statusStoreName);
    }

    @Override
    public void process(Record<String, Envelope<InferenceRequest>> record) {
        InferenceRequest request = record.value().value();
        TaskKind kind = TaskKind.of(request.getTask());
        long now = context.currentSystemTimeMs();
        List<TextChunker.Chunk> chunks = kind == TaskKind.GENERATE
                ? List.of(new TextChunker.Chunk(request.getText(), 1))
                : chunker.split(request.getText());
        String id = request.getRequestId();
        long wanted = request.getDeadline() != null ? request.getDeadline().toEpochMilli() : now + reassemblyTimeoutMs;
        // a request must end within the dedupe window: after it, the same id would be accepted again
        long deadline = Math.min(wanted, now + dedupeWindowMs);
        ClassifyTask classify = request.getTask() instanceof ClassifyTask task ? task : null;
        boolean byWorker = chunks.size() == 1 && workerPublishes.test(kind);
        pending.put(id, new PendingRequest(id, request.getTenant(), kind, request.getCreatedAt().toEpochMilli(), now,
                deadline, chunks.stream().map(TextChunker.Chunk::tokens).toList(),
                classify == null ? List.of() : List.copyOf(classify.getLabels()),
                classify != null && classify.getMultiLabel(),
                classify == null ? Map.of() : Map.copyOf(classify.getThresholds()),
                Map.copyOf(request.getMetadata()), new TreeMap<>(), byWorker));
        status.put(id, new RequestStatus(id, RequestState.IN_PROGRESS, 0, chunks.size(), null, now));
        WorkSink sink = sinks.get(kind);
        for (int i = 0; i < chunks.size(); i++) {
            WorkItem item = WorkItem.newBuilder()
                    .setRequestId(id)
                    .setTenant(request.getTenant())
                    .setChunkIndex(i)
                    .setChunkCount(chunks.size())
                    .setTask(request.getTask())
                    .setText(chunks.get(i).text())
                    .setPriority(request.getPriority())
                    .setDeadline(request.getDeadline())
                    .setAttempt(0)
                    .setCreatedAt(request.getCreatedAt())
                    .setTraceId(request.getMetadata().get("traceId"))
                    .setMetadata(request.getMetadata())
                    .setFinalResultDeadline(byWorker ? Instant.ofEpochMilli(deadline) : null)
                    .build();
            context.forward(new Record<String, Object>(id, item, record.timestamp()), sink.node());
            metrics.recordOut(sink.topic());
        }
        metrics.chunks(chunks.size());
        if (LOG.isDebugEnabled()) {
            // where a request's way in goes (the worker logs when it reads the items): sent -> chunked here
            long end = System.currentTimeMillis();
            // (the stream thread's clock was read when its round began: the difference is this round's work so far)
            LOG.debug("chunked {} into {} items at {}, {} ms after it was sent, {} ms after the round began", id,
                    chunks.size(), end, end - record.timestamp(), end - now);
        }
    }

}

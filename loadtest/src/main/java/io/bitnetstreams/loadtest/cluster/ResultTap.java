package io.bitnetstreams.loadtest.cluster;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.launcher.client.RecordTail;
import io.bitnetstreams.loadtest.measure.Outcome;
import io.bitnetstreams.loadtest.measure.RequestLedger;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads what the pipeline answers, from the current ends on: the final results and dead letters (how each request
 * ended) and the workers' results (their queue and engine timings), read_committed, without a consumer group. Each
 * record goes to the run's {@link RequestLedger}; {@code onEnded} hears of every request that ended.
 */
public final class ResultTap implements AutoCloseable {

    private final RequestLedger ledger;
    private final Consumer<String> onEnded;
    private final RecordTail tail;

    /** {@code deserializer}: lent, shared by the runs of a study (see {@link LoadCluster#answerDeserializer()}). */
    public ResultTap(Map<String, Object> clientConfig, AvroDeserializer<SpecificRecord> deserializer, TopicNames topics,
                     RequestLedger ledger, Consumer<String> onEnded) {
        this.ledger = ledger;
        this.onEnded = onEnded;
        // No shorter fetch.max.wait.ms: a read_committed fetch waiting at the broker returns as soon as a commit makes
        // records readable, so a short wait would not see answers sooner; it would only make the broker answer ~20 empty
        // fetches a second for the tap, CPU taken from the workers on the same cores.
        Map<String, Object> config = new HashMap<>(clientConfig);
        List<String> answerTopics = List.of(topics.classificationResults(), topics.extractionResults(),
                topics.generationResults(), topics.deadLetters(), topics.workResults());
        tail = RecordTail.startTimed("loadtest-result-tap", config, deserializer, answerTopics, Duration.ofSeconds(30),
                Duration.ofMillis(100), this::dispatch);
    }

    private void dispatch(Object value, long timestampMs) {
        switch (value) {
            case WorkResult r when r.getDeadlineCheck() -> { } // the topology's own mark, not an answer
            case WorkResult r -> ledger.workResult(r.getRequestId(), r.getTimings().getQueuedMs(), r.getTimings().getInferenceMs(),
                    r.getCompletedAt().toEpochMilli(), timestampMs);
            case ClassificationResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case ExtractionResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case GenerationResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case DeadLetter d when d.getRequestId() != null -> ended(d.getRequestId(), Outcome.DEAD_LETTER, null,
                    d.getReason() + ": " + d.getMessage(), d.getFailedAt());
            default -> { }
        }
    }

    private void ended(String id, Outcome outcome, Usage usage, String error, java.time.Instant madeAt) {
        boolean first = ledger.ended(id, outcome, usage == null ? 0 : usage.getPromptTokens(),
                usage == null ? 0 : usage.getGeneratedTokens(), error, madeAt == null ? -1 : madeAt.toEpochMilli());
        if (first) {
            onEnded.accept(id);
        }
    }

    static Outcome outcome(ResultStatus status) {
        return switch (status) {
            case DONE -> Outcome.DONE;
            case PARTIAL -> Outcome.PARTIAL;
            case FAILED -> Outcome.FAILED;
        };
    }

    @Override
    public void close() {
        tail.close();
    }
}

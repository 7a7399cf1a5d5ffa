package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.results.FinalResults;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Builds the records the worker publishes. */
final class Results {

    /** Errors are cut to this many characters: a stack of causes must not bloat a result. */
    static final int MAX_ERROR_CHARS = 2_000;

    private Results() {}

    static WorkResult result(WorkItem item, WorkOutcome outcome, String workerId, String modelId, long nowMillis) {
        return WorkResult.newBuilder()
                .setRequestId(item.getRequestId())
                .setChunkIndex(item.getChunkIndex())
                .setChunkCount(item.getChunkCount())
                .setStatus(outcome.status())
                .setOutput(outcome.status() == WorkStatus.OK ? outcome.output() : null)
                .setError(outcome.error() == null ? null : truncate(outcome.error()))
                .setUsage(new Usage(outcome.promptTokens(), outcome.generatedTokens()))
                .setTimings(WorkTimings.newBuilder().setQueuedMs(outcome.queuedMs()).setInferenceMs(outcome.inferenceMs())
                        .setEngineQueuedMs(outcome.engineTimings().queuedMs())
                        .setPrefillMs(outcome.engineTimings().prefillMs())
                        .setDecodeMs(outcome.engineTimings().decodeMs()).build())
                .setWorkerId(workerId)
                .setModelId(modelId)
                .setCompletedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    /**
     * The claim of a one-part item's final result: the work result saying {@code finalResultPublished} and the final
     * result ({@link FinalResults#of}, as the topology would publish it), or null when the item allows none (no
     * {@code finalResultDeadline}, several parts). Whether it is still early enough is decided by the caller at
     * completion and by the committer once the work result is acknowledged ({@link FinalResults#workerMayPublish}).
     */
    static Entry.FinalClaim finalClaim(WorkItem item, WorkResult plain, TopicNames topics, long nowMillis) {
        if (!FinalResults.workerAllowed(item)) {
            return null;
        }
        SpecificRecord finalResult = FinalResults.of(FinalResults.onePart(item, plain), nowMillis, false).record();
        return new Entry.FinalClaim(topics.results(TaskKind.of(item.getTask())), finalResult, plain);
    }

    /** The work result of {@code plain}'s item that claims the final result. */
    static WorkResult claiming(WorkResult plain) {
        return WorkResult.newBuilder(plain).setFinalResultPublished(true).build();
    }

    /** A dead letter keeping at most {@code maxValueBytes} of the record's value (it must fit the producer's limit). */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String message,
            long nowMillis, int maxValueBytes) {
        return DeadLetters.of(reason, truncate(message), record.key(), record.value(),
                new DeadLetters.Source(record.topic(), record.partition(), record.offset()), "worker.consume", null,
                nowMillis, maxValueBytes);
    }

    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String truncate(String text) {
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "…";
    }
}

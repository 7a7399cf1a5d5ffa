package io.bitnetstreams.contract.results;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TaskKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one rule for a request's final result ({@code ClassificationResult}, {@code ExtractionResult},
 * {@code GenerationResult}), and for who publishes it.
 *
 * <h2>What the final result says</h2>
 * {@link #of}: the answered chunks merged ({@link ResultMerger}); DONE when every chunk answered usably, PARTIAL when
 * some did, FAILED when none did; the error names the chunks' problems. The topology builds it for every request it
 * publishes, a worker for the one-part requests it publishes itself: both call this method.
 *
 * <h2>Who publishes it</h2>
 * The topology, except for a one-part request whose work item carries a {@code finalResultDeadline}: its worker may
 * publish the final result in the transaction of its work result (which then says {@code finalResultPublished}),
 * saving the topology's exactly-once commit on the way back. Exactly one final result per request still holds,
 * deadline included, because the order of one partition decides and not a clock alone:
 * <ol>
 *   <li>The worker writes its work result to the work-results topic (keyed by request id, so on the request's
 *       partition), and the final result in the same transaction, and waits for the broker's acknowledgements; only
 *       then it reads its clock. It commits that transaction only if that moment is more than
 *       {@link #CLOCK_SKEW_MARGIN} before the deadline ({@link #workerMayPublish}); otherwise it aborts (the final
 *       result is never visible) and writes a plain work result, and the topology publishes as for any request.</li>
 *   <li>When the deadline has passed with no answer, the topology does not publish at once: it writes a
 *       {@code deadlineCheck} record to the same partition of the work-results topic and publishes the deadline
 *       result only when it reads that record back with the request still open.</li>
 *   <li>A work result that claims the final result was acknowledged before the worker's check, so before the
 *       deadline, so before the topology wrote its check (clocks within the margin): it sits earlier in the
 *       partition. A {@code read_committed} reader reaches the check only after that transaction ended: committed,
 *       the request ended first and the check is ignored; aborted, its final result vanished with it and the check
 *       publishes the deadline result. A work result after the check cannot have claimed anything.</li>
 * </ol>
 * A worker paused anywhere in between changes nothing: the partition order stays, and a transaction left open is
 * aborted by the broker's transaction timeout.
 */
public final class FinalResults {

    /**
     * How far apart the clocks of a worker and the topology may be: a worker publishes a final result only if its
     * work result was acknowledged at least this long before the deadline.
     */
    public static final Duration CLOCK_SKEW_MARGIN = Duration.ofSeconds(1);

    /** A final result and where its fields came from. */
    public record FinalResult(TaskKind kind, String requestId, ResultStatus status, String error, SpecificRecord record) {}

    private FinalResults() {}

    /**
     * The final result of {@code request} as of {@code now}: merged from its answers. {@code deadlinePassed}: the
     * request ends because its deadline passed, not because every chunk answered (said in the error).
     */
    public static FinalResult of(PendingRequest request, long now, boolean deadlinePassed) {
        int answered = (int) request.okCount();
        int total = request.chunkCount();
        Object output = switch (request.kind()) {
            case CLASSIFY -> ResultMerger.classification(request);
            case EXTRACT -> ResultMerger.extraction(request);
            case GENERATE -> ResultMerger.generation(request);
        };
        ResultStatus status = output == null ? ResultStatus.FAILED
                : answered == total ? ResultStatus.DONE : ResultStatus.PARTIAL;
        String error = status == ResultStatus.DONE ? null : errorOf(request, deadlinePassed, answered, total);
        Usage usage = new Usage(
                request.answers().values().stream().mapToInt(a -> a.getUsage().getPromptTokens()).sum(),
                request.answers().values().stream().mapToInt(a -> a.getUsage().getGeneratedTokens()).sum());
        String modelId = request.answers().values().stream().map(WorkResult::getModelId)
                .filter(id -> id != null && !id.isEmpty()).findFirst().orElse("");
        Instant createdAt = Instant.ofEpochMilli(request.createdAt());
        Instant completedAt = Instant.ofEpochMilli(now);
        SpecificRecord record = switch (request.kind()) {
            case CLASSIFY -> new ClassificationResult(request.requestId(), request.tenant(), status,
                    (ClassificationOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
            case EXTRACT -> new ExtractionResult(request.requestId(), request.tenant(), status,
                    (ExtractionOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
            case GENERATE -> new GenerationResult(request.requestId(), request.tenant(), status,
                    (GenerationOutput) output, error, answered, total, usage, createdAt, completedAt, modelId,
                    request.metadata());
        };
        return new FinalResult(request.kind(), request.requestId(), status, error, record);
    }

    /**
     * True when a worker may publish the final result of {@code item} itself: the topology allowed it (a one-part
     * request with a {@code finalResultDeadline}) and {@code ackedAt}, when the broker acknowledged the item's work
     * result, is at least {@link #CLOCK_SKEW_MARGIN} before that deadline.
     */
    public static boolean workerMayPublish(WorkItem item, long ackedAt) {
        return workerAllowed(item)
                && ackedAt < item.getFinalResultDeadline().toEpochMilli() - CLOCK_SKEW_MARGIN.toMillis();
    }

    /** True when the topology allowed the worker of {@code item} to publish the final result: one part, a deadline. */
    public static boolean workerAllowed(WorkItem item) {
        return item.getFinalResultDeadline() != null && item.getChunkCount() == 1;
    }

    /**
     * The request of a one-part {@code item} answered by {@code answer}, as the topology would hold it: what a
     * worker passes to {@link #of} to publish the final result itself.
     */
    public static PendingRequest onePart(WorkItem item, WorkResult answer) {
        Objects.requireNonNull(item.getFinalResultDeadline(), "the work item allows no final result from its worker");
        if (item.getChunkCount() != 1 || answer.getChunkCount() != 1 || answer.getChunkIndex() != 0
                || !item.getRequestId().equals(answer.getRequestId())) {
            throw new IllegalArgumentException("not the one answer of a one-part request: " + item.getRequestId()
                    + " chunk " + answer.getChunkIndex() + " of " + answer.getChunkCount());
        }
        ClassifyTask classify = item.getTask() instanceof ClassifyTask task ? task : null;
        var answers = new TreeMap<Integer, WorkResult>();
        answers.put(0, answer);
        long deadline = item.getFinalResultDeadline().toEpochMilli();
        return new PendingRequest(item.getRequestId(), item.getTenant(), TaskKind.of(item.getTask()),
                item.getCreatedAt().toEpochMilli(), item.getCreatedAt().toEpochMilli(), deadline,
                List.of(Math.max(1, answer.getUsage().getPromptTokens())),
                classify == null ? List.of() : List.copyOf(classify.getLabels()),
                classify != null && classify.getMultiLabel(),
                classify == null ? Map.of() : Map.copyOf(classify.getThresholds()),
                Map.copyOf(item.getMetadata()), answers, true);
    }

    private static String errorOf(PendingRequest request, boolean deadlinePassed, int answered, int total) {
        String errors = request.answers().values().stream().map(request::problemOf)
                .filter(Objects::nonNull).distinct().limit(5).collect(Collectors.joining("; "));
        String head = (deadlinePassed ? "deadline passed with " : "") + answered + " of " + total + " chunks answered";
        return errors.isEmpty() ? head : head + ": " + errors;
    }
}

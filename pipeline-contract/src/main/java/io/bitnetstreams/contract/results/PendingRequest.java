package io.bitnetstreams.contract.results;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.TaskKind;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request whose chunks are out with the workers: everything reassembly needs to build the final result.
 * The topology stores it as the Avro {@code ReassemblyState} (its {@code PendingRequestSerde}); a worker builds a
 * one-part one to publish a final result itself ({@link FinalResults#onePart}). The answers are the workers'
 * {@link WorkResult}s exactly as they arrived.
 *
 * @param requestId     the request
 * @param tenant        its tenant
 * @param kind          its task
 * @param createdAt     caller's creation time (epoch ms)
 * @param acceptedAt    when the topology accepted it (epoch ms)
 * @param deadline      when a PARTIAL result is published at the latest (caller's deadline or timeout; epoch ms)
 * @param chunkTokens   tokens of every chunk, in chunk order (weights of the classification merge)
 * @param labels        classification labels in the caller's order
 * @param multiLabel    classification: select every label over its threshold
 * @param thresholds    classification: per-label thresholds
 * @param metadata      caller metadata carried to the result
 * @param answers       chunk index -> the worker's result, for the chunks answered so far
 * @param workerPublishes a one-part request whose worker may publish the final result itself
 *                      ({@link FinalResults#workerMayPublish}); at the deadline the topology checks before it publishes
 */
public record PendingRequest(String requestId, String tenant, TaskKind kind, long createdAt, long acceptedAt,
                             long deadline, List<Integer> chunkTokens, List<String> labels, boolean multiLabel,
                             Map<String, Double> thresholds, Map<String, String> metadata,
                             TreeMap<Integer, WorkResult> answers, boolean workerPublishes) {

    public int chunkCount() {
        return chunkTokens.size();
    }

    public boolean complete() {
        return answers.size() >= chunkCount();
    }

    /** Answers that can take part in the merge (see {@link #usable}). */
    public long okCount() {
        return answers.values().stream().filter(this::usable).count();
    }

    /** True when the worker answered OK with an output of this request's task. */
    public boolean usable(WorkResult answer) {
        return answer.getStatus() == WorkStatus.OK && switch (kind) {
            case CLASSIFY -> answer.getOutput() instanceof ClassificationOutput;
            case EXTRACT -> answer.getOutput() instanceof ExtractionOutput;
            case GENERATE -> answer.getOutput() instanceof GenerationOutput;
        };
    }

    /** Why an answer cannot take part in the merge; null when it can. */
    public String problemOf(WorkResult answer) {
        if (answer.getStatus() != WorkStatus.OK) {
            return answer.getStatus() + (answer.getError() == null ? "" : ": " + answer.getError());
        }
        if (answer.getOutput() == null) {
            return "OK without output";
        }
        return usable(answer) ? null
                : "output " + answer.getOutput().getClass().getSimpleName() + " does not match task " + kind;
    }

    /** A copy with one more answer (the first answer of a chunk wins; worker retries are ignored). */
    public PendingRequest withAnswer(int chunkIndex, WorkResult answer) {
        var copy = new TreeMap<>(answers);
        copy.putIfAbsent(chunkIndex, answer);
        return new PendingRequest(requestId, tenant, kind, createdAt, acceptedAt, deadline, chunkTokens, labels,
                multiLabel, thresholds, metadata, copy, workerPublishes);
    }
}

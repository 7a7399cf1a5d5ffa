package io.bitnetstreams.topology.state;

import io.bitnetstreams.contract.TaskKind;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request whose chunks are out with the workers: everything reassembly needs to build the final result.
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
 * @param answers       chunk index -> answer, for the chunks answered so far
 */
public record PendingRequest(String requestId, String tenant, TaskKind kind, long createdAt, long acceptedAt,
                             long deadline, List<Integer> chunkTokens, List<String> labels, boolean multiLabel,
                             Map<String, Double> thresholds, Map<String, String> metadata,
                             TreeMap<Integer, ChunkAnswer> answers) {

    public int chunkCount() {
        return chunkTokens.size();
    }

    public boolean complete() {
        return answers.size() >= chunkCount();
    }

    public long okCount() {
        return answers.values().stream().filter(ChunkAnswer::ok).count();
    }

    /** A copy with one more answer (the first answer of a chunk wins; worker retries are ignored). */
    public PendingRequest withAnswer(int chunkIndex, ChunkAnswer answer) {
        var copy = new TreeMap<>(answers);
        copy.putIfAbsent(chunkIndex, answer);
        return new PendingRequest(requestId, tenant, kind, createdAt, acceptedAt, deadline, chunkTokens, labels,
                multiLabel, thresholds, metadata, copy);
    }
}

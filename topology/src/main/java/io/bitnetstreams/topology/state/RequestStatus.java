package io.bitnetstreams.topology.state;

/**
 * Value of the status store, also the JSON body of {@code GET /requests/{id}}.
 *
 * @param requestId      the request
 * @param state          where it is
 * @param chunksAnswered chunks answered so far (k of k/n)
 * @param chunksTotal    chunks the request was split into (n; 0 before chunking)
 * @param detail         reason of a dead letter or partial result, else null
 * @param updatedAt      epoch millis of the last change
 */
public record RequestStatus(String requestId, RequestState state, int chunksAnswered, int chunksTotal, String detail,
                            long updatedAt) {

    public static RequestStatus of(String requestId, RequestState state, long now) {
        return new RequestStatus(requestId, state, 0, 0, null, now);
    }
}

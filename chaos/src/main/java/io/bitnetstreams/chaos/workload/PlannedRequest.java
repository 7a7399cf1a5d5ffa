package io.bitnetstreams.chaos.workload;

import io.bitnetstreams.avro.InferenceRequest;

/**
 * One request of a chaos run and what must come of it.
 *
 * @param request         what is sent
 * @param kind            how it is answered: by the keyword executor, by the engine, or as a dead letter
 * @param expectedContent for the deterministic executor: the answer's content (see {@link Content}), a pure function
 *                        of the request; null where the content is not checked
 */
public record PlannedRequest(InferenceRequest request, Kind kind, String expectedContent) {

    public enum Kind {
        /** classify or extract: run by the deterministic keyword executor, content checked */
        DETERMINISTIC,
        /** generate: run by the real engine on the synthetic model, counted only */
        ENGINE,
        /** refused by the topology's validation: exactly one dead letter */
        INVALID
    }

    public String id() {
        return request.getRequestId();
    }

    public boolean expectsDeadLetter() {
        return kind == Kind.INVALID;
    }
}

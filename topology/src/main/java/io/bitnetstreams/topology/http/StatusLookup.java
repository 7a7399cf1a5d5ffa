package io.bitnetstreams.topology.http;

import io.bitnetstreams.topology.state.RequestStatus;

/** Where the status of one request is: here, on another instance, nowhere, or not knowable right now. */
public sealed interface StatusLookup {

    record Found(RequestStatus status) implements StatusLookup {}

    record NotFound() implements StatusLookup {}

    /** Another instance owns the request's partition. */
    record Elsewhere(String host, int port) implements StatusLookup {}

    /** Rebalancing or starting: ask again shortly. */
    record Unavailable(String reason) implements StatusLookup {}

    /** Finds statuses; {@code localOnly} answers from this instance's stores without pointing elsewhere. */
    @FunctionalInterface
    interface Source {
        StatusLookup find(String requestId, boolean localOnly);
    }
}

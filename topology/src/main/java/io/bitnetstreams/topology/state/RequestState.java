package io.bitnetstreams.topology.state;

/** Life cycle of a request as {@code GET /requests/{id}} reports it. */
public enum RequestState {
    RECEIVED, IN_PROGRESS, DONE, PARTIAL, FAILED, DEAD_LETTERED;

    /** True once nothing more will happen to the request. */
    public boolean isFinal() {
        return this != RECEIVED && this != IN_PROGRESS;
    }
}

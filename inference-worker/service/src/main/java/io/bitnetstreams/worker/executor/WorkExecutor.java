package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.WorkItem;
import java.util.concurrent.CompletableFuture;

/**
 * Runs work items; the worker service's only view of inference. Implementations: {@link KeywordWorkExecutor}
 * (deterministic rules, no model) and an adapter to the engine.
 *
 * <p>The returned future completes with a {@link WorkOutcome}, or exceptionally: with a
 * {@link TransientWorkException} for a failure worth retrying, with anything else for a permanent one.
 * Cancelling the future before the item started means it is never run.
 */
public interface WorkExecutor extends AutoCloseable {

    /** Queues the item; higher {@code priority} first, expired items end as EXPIRED without inference. */
    CompletableFuture<WorkOutcome> submit(WorkItem item);

    /** Most items this executor accepts at once (queued plus running). */
    int queueCapacity();

    /** Items queued or running now. */
    int inFlight();

    /** Items waiting, not yet running. */
    int queued();

    /** True once the model is loaded and items can run. */
    boolean ready();

    /** Id of the model, copied into every result. */
    String modelId();

    /** Stops the threads; queued items complete as CANCELLED. */
    @Override
    void close();
}

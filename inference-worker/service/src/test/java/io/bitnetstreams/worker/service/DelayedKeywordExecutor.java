package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Test executor: keyword classification that completes {@code costMillis} after submission, like slow inference. */
final class DelayedKeywordExecutor implements WorkExecutor {

    private final int capacity;
    private final long costMillis;
    private final AtomicInteger inFlight = new AtomicInteger();

    DelayedKeywordExecutor(int capacity, long costMillis) {
        this.capacity = capacity;
        this.costMillis = costMillis;
    }

    @Override
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new TransientWorkException("full"));
        }
        return CompletableFuture.supplyAsync(() -> {
            var output = KeywordWorkExecutor.classify((ClassifyTask) item.getTask(), item.getText());
            return WorkOutcome.ok(output, 1, 1, 0, costMillis, 1);
        }, CompletableFuture.delayedExecutor(costMillis, TimeUnit.MILLISECONDS)).whenComplete((o, e) -> inFlight.decrementAndGet());
    }

    @Override
    public int queueCapacity() {
        return capacity;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int queued() {
        return 0;
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String modelId() {
        return "delayed-keyword";
    }

    @Override
    public void close() {}
}

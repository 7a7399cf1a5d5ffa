package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import io.bitnetstreams.worker.executor.QueuedWorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Semaphore;

/** Test executor: each item needs a permit the test hands out, so tests decide when work finishes. */
final class GatedExecutor extends QueuedWorkExecutor {

    private final Semaphore permits = new Semaphore(0);

    GatedExecutor(int capacity) {
        super("gated", 1, capacity, 4, Clock.systemUTC());
        start();
    }

    void release(int items) {
        permits.release(items);
    }

    @Override
    protected void runBatch(List<Job> jobs) throws InterruptedException {
        for (Job job : jobs) {
            permits.acquire();
            var output = KeywordWorkExecutor.classify((ClassifyTask) job.item().getTask(), job.item().getText());
            complete(job, WorkOutcome.ok(output, 1, 1, queuedMillis(job), 0, jobs.size()));
        }
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String modelId() {
        return "gated";
    }
}

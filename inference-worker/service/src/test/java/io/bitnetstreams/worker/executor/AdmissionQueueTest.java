package io.bitnetstreams.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private final AdmissionQueue queue = new AdmissionQueue(4, Clock.fixed(NOW, ZoneOffset.UTC));

    private static WorkOutcome ok() {
        return WorkOutcome.ok(KeywordWorkExecutor.classify(
                io.bitnetstreams.avro.ClassifyTask.newBuilder().setLabels(List.of("a")).build(), "a"), 1, 1, 0, 0, 1);
    }

    @Test
    void handsOutByPriorityThenArrival() throws Exception {
        queue.submit(WorkItems.classify("low-1", "x", 0, null));
        queue.submit(WorkItems.classify("high", "x", 5, null));
        queue.submit(WorkItems.classify("low-2", "x", 0, null));
        List<String> order = new ArrayList<>();
        for (Job job : queue.takeBatch(10, 0)) {
            order.add(job.item().getRequestId());
        }
        assertThat(order).containsExactly("high", "low-1", "low-2");
    }

    @Test
    void expiredItemsEndAsExpiredAndAreNeverHandedOut() throws Exception {
        CompletableFuture<WorkOutcome> expired = queue.submit(WorkItems.classify("old", "x", 9, NOW.minusMillis(1)));
        queue.submit(WorkItems.classify("fresh", "x", 0, NOW.plusSeconds(60)));
        assertThat(queue.take(0).item().getRequestId()).isEqualTo("fresh");
        assertThat(expired.get().status()).isEqualTo(WorkStatus.EXPIRED);
        assertThat(queue.take(0)).isNull();
    }

    @Test
    void isBoundedAndCancellingOrCompletingFreesAPlace() throws Exception {
        List<CompletableFuture<WorkOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(queue.submit(WorkItems.classify("r" + i, "x")));
        }
        var refused = queue.submit(WorkItems.classify("over", "x"));
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((o, e) -> e).get()).isInstanceOf(TransientWorkException.class);
        assertThat(queue.inFlight()).isEqualTo(4);

        futures.get(1).cancel(false);
        assertThat(queue.inFlight()).isEqualTo(3);
        Job first = queue.take(0);
        assertThat(first.item().getRequestId()).isEqualTo("r0");
        // a completion callback may submit at once: the place is free before the future completes
        CompletableFuture<CompletableFuture<WorkOutcome>> next = first.future()
                .thenApply(o -> queue.submit(WorkItems.classify("from-callback", "x")));
        queue.submit(WorkItems.classify("r4", "x"));
        first.complete(ok());
        assertThat(next.get()).isNotCompletedExceptionally();
        assertThat(queue.inFlight()).isEqualTo(4);
        // the cancelled item is skipped
        assertThat(queue.take(0).item().getRequestId()).isEqualTo("r2");
    }

    @Test
    void closingCancelsWhatWaitsAndRefusesMore() throws ExecutionException, InterruptedException {
        var waiting = queue.submit(WorkItems.classify("w", "x"));
        queue.close();
        assertThat(waiting.get().status()).isEqualTo(WorkStatus.CANCELLED);
        assertThat(queue.inFlight()).isZero();
        assertThat(queue.submit(WorkItems.classify("late", "x")).handle((o, e) -> e).get())
                .isInstanceOf(RejectedExecutionException.class);
    }
}

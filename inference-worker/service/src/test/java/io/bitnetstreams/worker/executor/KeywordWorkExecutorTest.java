package io.bitnetstreams.worker.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ChatRole;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeywordWorkExecutorTest {

    @Test
    void classifiesByLabelOccurrences() throws Exception {
        try (var executor = new KeywordWorkExecutor(1, 4, 2)) {
            WorkOutcome outcome = executor.submit(WorkItems.classify("r1", "My tech problem: the tech stack crashed")).get(5, TimeUnit.SECONDS);
            assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
            ClassificationOutput output = (ClassificationOutput) outcome.output();
            assertThat(output.getArgmax()).isEqualTo("tech");
            // scores: billing 1, tech 3
            assertThat(output.getProbabilities().get("tech")).isEqualTo(0.75);
            assertThat(output.getSelectedLabels()).containsExactly("tech");
        }
    }

    @Test
    void multiLabelUsesThresholds() {
        ClassifyTask task = ClassifyTask.newBuilder().setLabels(List.of("a", "b", "c")).setMultiLabel(true)
                .setThresholds(Map.of("a", 0.2, "b", 0.2)).build();
        ClassificationOutput output = KeywordWorkExecutor.classify(task, "a b");
        assertThat(output.getSelectedLabels()).containsExactly("a", "b");
    }

    @Test
    void extractsKeyValueLinesAsEscapedJson() {
        ExtractionOutput output = KeywordWorkExecutor.extract("name: Ada \"L\"\ncity : London\nno colon here");
        assertThat(output.getJson()).isEqualTo("{\"name\":\"Ada \\\"L\\\"\",\"city\":\"London\"}");
    }

    @Test
    void generationEchoesTheLastMessageCutToMaxTokens() {
        GenerateTask task = GenerateTask.newBuilder().setMaxTokens(2)
                .setMessages(List.of(new ChatMessage(ChatRole.USER, "one two three"))).build();
        GenerationOutput output = KeywordWorkExecutor.generate(task, "");
        assertThat(output.getText()).isEqualTo("one two");
        assertThat(output.getFinishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void markersFailPermanentlyOrTransiently() throws Exception {
        try (var executor = new KeywordWorkExecutor(1, 4, 1)) {
            assertThatThrownBy(() -> executor.submit(WorkItems.classify("r", "#fail")).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
            WorkItem transientItem = WorkItems.classify("r", "#transient");
            assertThatThrownBy(() -> executor.submit(transientItem).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TransientWorkException.class);
            WorkItem retried = WorkItem.newBuilder(transientItem).setAttempt(1).build();
            assertThat(executor.submit(retried).get(5, TimeUnit.SECONDS).status()).isEqualTo(WorkStatus.OK);
        }
    }

    @Test
    void higherPriorityRunsFirstAndExpiredItemsDoNotRun() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (var executor = new RecordingExecutor(gate, order)) {
            CompletableFuture<WorkOutcome> blocker = executor.submit(WorkItems.classify("blocker", "x"));
            await().atMost(Duration.ofSeconds(5)).until(() -> executor.queued() == 0); // the runner holds it at the gate
            var low = executor.submit(WorkItems.classify("low", "x", 0, null));
            var expired = executor.submit(WorkItems.classify("expired", "x", 9, Instant.now().minusSeconds(1)));
            var high = executor.submit(WorkItems.classify("high", "x", 5, null));
            assertThat(executor.inFlight()).isEqualTo(4);
            gate.countDown();
            CompletableFuture.allOf(blocker, low, expired, high).get(5, TimeUnit.SECONDS);
            assertThat(order).containsExactly("blocker", "high", "low");
            assertThat(expired.get().status()).isEqualTo(WorkStatus.EXPIRED);
            assertThat(executor.inFlight()).isZero();
        }
    }

    @Test
    void aCompletionCallbackFindsItsSlotFree() throws Exception {
        try (var executor = new KeywordWorkExecutor(1, 1, 1)) {
            // The worker service submits the next item from the completion path; a full executor would refuse it.
            WorkOutcome second = executor.submit(WorkItems.classify("first", "x"))
                    .thenCompose(first -> executor.submit(WorkItems.classify("second", "x")))
                    .get(5, TimeUnit.SECONDS);
            assertThat(second.status()).isEqualTo(WorkStatus.OK);
        }
    }

    @Test
    void cancellingAQueuedItemFreesItsSlot() {
        CountDownLatch gate = new CountDownLatch(1);
        try (var executor = new RecordingExecutor(gate, new ArrayList<>())) {
            List<CompletableFuture<WorkOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < executor.queueCapacity(); i++) {
                futures.add(executor.submit(WorkItems.classify("r" + i, "x")));
            }
            futures.getLast().cancel(false);
            assertThat(executor.submit(WorkItems.classify("replacement", "x"))).isNotCompletedExceptionally();
            gate.countDown();
        }
    }

    @Test
    void refusesBeyondCapacity() {
        CountDownLatch gate = new CountDownLatch(1);
        try (var executor = new RecordingExecutor(gate, new ArrayList<>())) {
            for (int i = 0; i < executor.queueCapacity(); i++) {
                executor.submit(WorkItems.classify("r" + i, "x"));
            }
            assertThat(executor.submit(WorkItems.classify("over", "x"))).isCompletedExceptionally();
            gate.countDown();
        }
    }

    /** Runs one item at a time, the first one only after the gate opens, recording the order. */
    private static final class RecordingExecutor extends QueuedWorkExecutor {
        private final CountDownLatch gate;
        private final List<String> order;

        RecordingExecutor(CountDownLatch gate, List<String> order) {
            super("recording", 1, 2 + 2, 1, java.time.Clock.systemUTC());
            this.gate = gate;
            this.order = order;
            start();
        }

        @Override
        protected void runBatch(List<Job> jobs) throws Exception {
            gate.await();
            for (Job job : jobs) {
                order.add(job.item().getRequestId());
                complete(job, WorkOutcome.ok(KeywordWorkExecutor.classify((ClassifyTask) job.item().getTask(), "x"), 1, 1, 0, 0, 1));
            }
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public String modelId() {
            return "recording";
        }
    }
}

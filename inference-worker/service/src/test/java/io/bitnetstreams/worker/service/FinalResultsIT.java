package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.results.FinalResults;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.WorkItems;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker publishes the final result of a one-part request itself when its work item allows it
 * ({@code finalResultDeadline}), in the transaction of its work result: against a real broker and registry.
 */
@WithKafka
@WithSchemaRegistry
class FinalResultsIT {

    EmbeddedKafkaCluster kafka;
    SchemaRegistryProcess registry;
    private KafkaFixture fixture;

    @BeforeEach
    void topics() {
        fixture = new KafkaFixture(kafka, registry, 2);
    }

    @AfterEach
    void stop() throws InterruptedException {
        fixture.stopAll();
    }

    @Test
    void aOnePartItemFarFromItsDeadlineGetsExactlyOneFinalResultFromItsWorker() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        fixture.startWorker("publisher", new KeywordWorkExecutor(1, 16, 4), Map.of(), metrics);
        List<WorkItem> items = items("far", 5, Instant.now().plus(Duration.ofMinutes(10)));
        fixture.produce(items);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> fixture.committedFinalResults().size() >= 5 && fixture.committedResults().size() >= 5);
        fixture.stopAll();

        Map<String, WorkResult> results = ExactlyOnceIT.byRequest(fixture.committedResults());
        List<ConsumerRecord<byte[], ClassificationResult>> finals = fixture.committedFinalResults();
        assertThat(results).hasSize(5);
        assertThat(finals).hasSize(5);
        Map<String, ClassificationResult> finalByRequest = finals.stream()
                .collect(Collectors.toMap(r -> r.value().getRequestId(), ConsumerRecord::value)); // fails on a duplicate
        for (WorkItem item : items) {
            WorkResult claimed = results.get(item.getRequestId());
            assertThat(claimed.getFinalResultPublished()).as("work result says the final result is published").isTrue();
            WorkResult plain = WorkResult.newBuilder(claimed).setFinalResultPublished(false).build();
            ClassificationResult expected = (ClassificationResult) FinalResults.of(FinalResults.onePart(item, plain),
                    claimed.getCompletedAt().toEpochMilli(), false).record();
            ClassificationResult actual = finalByRequest.get(item.getRequestId());
            assertThat(actual.getStatus()).isEqualTo(ResultStatus.DONE);
            assertThat(actual.getOutput()).isNotNull().isEqualTo(plain.getOutput());
            assertThat(actual.getUsage()).isEqualTo(plain.getUsage());
            assertThat(actual.getMetadata()).containsEntry("source", "it");
            assertThat(actual.getTenant()).isEqualTo("t");
            assertThat(actual).isEqualTo(expected);
        }
        for (ConsumerRecord<byte[], ClassificationResult> record : finals) {
            // keyed by request id with the default partitioner: where the topology would have published it
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(record.value().getRequestId());
            assertThat(record.partition()).isEqualTo(Utils.toPositive(Utils.murmur2(record.key())) % 3);
        }
        assertThat(published(metrics)).isEqualTo(5);
        assertThat(givenUp(metrics)).isZero();
    }

    @Test
    void anItemAlreadyWithinTheMarginWhenItCompletesClaimsNothing() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        fixture.startWorker("careful", new KeywordWorkExecutor(1, 16, 4), Map.of(), metrics);
        List<WorkItem> late = items("late", 2, Instant.now().plus(FinalResults.CLOCK_SKEW_MARGIN.dividedBy(2)));
        List<WorkItem> far = items("far", 3, Instant.now().plus(Duration.ofMinutes(10)));
        fixture.produce(java.util.stream.Stream.concat(late.stream(), far.stream()).toList());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> fixture.committedResults().size() >= 5 && fixture.committedFinalResults().size() >= 3);
        fixture.stopAll();

        Map<String, WorkResult> results = ExactlyOnceIT.byRequest(fixture.committedResults());
        assertThat(results).hasSize(5);
        late.forEach(item -> assertThat(results.get(item.getRequestId()).getFinalResultPublished()).isFalse());
        far.forEach(item -> assertThat(results.get(item.getRequestId()).getFinalResultPublished()).isTrue());
        assertThat(finalRequestIds(fixture.committedFinalResults())).isEqualTo(ids(far));
        assertThat(claimsWritten()).as("no claim written, not even in an aborted transaction").doesNotContainAnyElementsOf(ids(late));
        assertThat(givenUp(metrics)).isEqualTo(2);
        assertThat(published(metrics)).isEqualTo(3);
    }

    @Test
    void aClaimThatBecomesTooLateBeforeItsCommitIsAbortedAndRetriedAsAPlainWorkResult() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        // a long commit interval holds a completed claim back until it is too close to its deadline
        fixture.startWorker("slow-commit", new KeywordWorkExecutor(1, 16, 4), Map.of("bitnet.commit.interval.ms", "10000"),
                metrics);
        fixture.produce(List.of(WorkItems.classify("warm-up", "billing question")));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> fixture.committedResults().size() == 1);
        // The warm-up's transaction just started the 10 s interval. This claim completes at once, more than the margin
        // before its deadline (5 s), and waits for the next commit, by then within the margin: abort, retry plain.
        List<WorkItem> late = items("late", 1, Instant.now().plus(Duration.ofSeconds(5)));
        List<WorkItem> far = items("far", 1, Instant.now().plus(Duration.ofMinutes(10)));
        fixture.produce(java.util.stream.Stream.concat(late.stream(), far.stream()).toList());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> fixture.committedResults().size() >= 3 && fixture.committedFinalResults().size() >= 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> fixture.committedWorkOffsets().equals(fixture.workEndOffsets()));
        fixture.stopAll();

        Map<String, WorkResult> results = ExactlyOnceIT.byRequest(fixture.committedResults());
        assertThat(results).hasSize(3);
        assertThat(results.get("late-0").getFinalResultPublished()).isFalse();
        assertThat(results.get("far-0").getFinalResultPublished()).isTrue();
        assertThat(finalRequestIds(fixture.committedFinalResults())).containsExactly("far-0");
        // the abort-and-retry path really ran: the late claim and its final result were written, then aborted
        assertThat(claimsWritten()).contains("late-0", "far-0");
        assertThat(finalRequestIds(fixture.everythingWritten(fixture.finalResultsTopic, ClassificationResult.class)))
                .contains("late-0", "far-0");
        assertThat(givenUp(metrics)).isEqualTo(1);
        assertThat(published(metrics)).isEqualTo(1);
        assertThat(metrics.registry().counter("bitnet.worker.transactions", "result", "aborted").count())
                .as("giving a claim up is no failed transaction").isZero();
    }

    /** Request ids of every work result written as a claim, aborted transactions included. */
    private Set<String> claimsWritten() {
        return fixture.everythingWritten(fixture.resultsTopic, WorkResult.class).stream().map(ConsumerRecord::value)
                .filter(WorkResult::getFinalResultPublished).map(WorkResult::getRequestId).collect(Collectors.toSet());
    }

    @Test
    void withPublishingSwitchedOffTheWorkerWritesPlainWorkResultsOnly() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        fixture.startWorker("plain", new KeywordWorkExecutor(1, 16, 4), Map.of("bitnet.final.results.publish", "false"), metrics);
        fixture.produce(items("off", 3, Instant.now().plus(Duration.ofMinutes(10))));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 3);
        fixture.stopAll();

        assertThat(fixture.committedResults()).hasSize(3).noneMatch(WorkResult::getFinalResultPublished);
        assertThat(fixture.everythingWritten(fixture.finalResultsTopic, ClassificationResult.class)).isEmpty();
        assertThat(published(metrics)).isZero();
    }

    @Test
    void itemsWithoutAFinalResultDeadlineOrWithSeveralPartsAreUnchanged() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        fixture.startWorker("old-topology", new KeywordWorkExecutor(1, 16, 4), Map.of(), metrics);
        WorkItem noDeadline = WorkItems.classify("no-deadline", "billing question");
        WorkItem firstOfTwo = WorkItem.newBuilder(WorkItems.classify("two-parts", "tech issue")).setChunkCount(2)
                .setFinalResultDeadline(Instant.now().plus(Duration.ofMinutes(10))).build();
        fixture.produce(List.of(noDeadline, firstOfTwo));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 2);
        fixture.stopAll();

        assertThat(fixture.committedResults()).hasSize(2).noneMatch(WorkResult::getFinalResultPublished)
                .extracting(WorkResult::getRequestId).containsExactlyInAnyOrder("no-deadline", "two-parts");
        assertThat(fixture.everythingWritten(fixture.finalResultsTopic, ClassificationResult.class)).isEmpty();
        assertThat(published(metrics) + givenUp(metrics)).isZero();
    }

    @Test
    void aCrashAfterSendingAClaimAndItsFinalResultShowsNeitherAndTheRestartPublishesEachOnce() throws Exception {
        WorkerService doomed = fixture.startWorker("crash", new KeywordWorkExecutor(1, 16, 4));
        doomed.crashInNextCommit();
        await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.assignment().isEmpty());
        fixture.produce(items("crash", 1, Instant.now().plus(Duration.ofMinutes(10))));

        assertThat(doomed.awaitTermination(Duration.ofSeconds(60))).isTrue();
        assertThat(doomed.fatalError()).isNull();
        // both were written in the transaction the crash left open ...
        assertThat(fixture.everythingWritten(fixture.finalResultsTopic, ClassificationResult.class)).hasSize(1);
        assertThat(fixture.everythingWritten(fixture.resultsTopic, WorkResult.class)).hasSize(1)
                .allMatch(record -> record.value().getFinalResultPublished());
        // ... and neither is visible
        assertThat(fixture.committedFinalResults()).isEmpty();
        assertThat(fixture.committedResults()).isEmpty();

        // the restart (same transactional id) aborts the open transaction and does the item again
        fixture.startWorker("crash", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> fixture.committedFinalResults().size() >= 1 && fixture.committedResults().size() >= 1);
        fixture.stopAll();
        assertThat(fixture.committedFinalResults()).hasSize(1);
        assertThat(fixture.committedResults()).hasSize(1).allMatch(WorkResult::getFinalResultPublished);
        assertThat(fixture.everythingWritten(fixture.finalResultsTopic, ClassificationResult.class))
                .as("the aborted one and the committed one").hasSize(2);
    }

    private static List<WorkItem> items(String prefix, int count, Instant finalResultDeadline) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> WorkItem.newBuilder(WorkItems.classify(prefix + "-" + i, i % 2 == 0 ? "billing question" : "tech issue"))
                        .setFinalResultDeadline(finalResultDeadline).setMetadata(Map.of("source", "it")).build())
                .toList();
    }

    private static Set<String> ids(List<WorkItem> items) {
        return items.stream().map(WorkItem::getRequestId).collect(Collectors.toSet());
    }

    private static Set<String> finalRequestIds(List<ConsumerRecord<byte[], ClassificationResult>> records) {
        return records.stream().map(r -> r.value().getRequestId()).collect(Collectors.toSet());
    }

    private static double published(WorkerMetrics metrics) {
        return metrics.registry().counter("bitnet.worker.final.results", "outcome", "published").count();
    }

    private static double givenUp(WorkerMetrics metrics) {
        return metrics.registry().counter("bitnet.worker.final.results", "outcome", "given_up").count();
    }
}

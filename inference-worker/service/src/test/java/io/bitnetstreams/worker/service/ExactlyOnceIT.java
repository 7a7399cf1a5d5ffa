package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.WorkItems;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Workers crash, restart and scale out while 500 work items stream through; the committed output
 * (read_committed) must hold exactly one result per item, and exactly one final result per item whose worker may
 * publish it (half of them).
 */
@WithKafka
@WithSchemaRegistry
class ExactlyOnceIT {

    @Test
    void crashRestartAndScaleOutLoseAndDuplicateNothing(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) throws Exception {
        KafkaFixture fixture = new KafkaFixture(kafka, registry, 6);

        GatedExecutor crashingExecutor = new GatedExecutor(16);
        WorkerService doomed = fixture.startWorker("w1", crashingExecutor);
        WorkerService steady = fixture.startWorker("w2", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.assignment().isEmpty() && !steady.assignment().isEmpty());
        // Only now the first items: the doomed worker's partitions then hold about half of them, work only it can
        // take. Produced earlier, a steady worker that joins the group first owns all six partitions until the
        // cooperative rebalance hands three over, and its instant executor may drain most of them in that time; the
        // doomed worker then has too few items left to finish 40 and still hold more (a CI run failed that way).
        fixture.produce(withFinalResults(items(0, 300)));

        // Let the doomed worker finish some work, then kill it while it holds more in flight.
        crashingExecutor.release(40);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(resultsBy(fixture, "w1")).as("results committed by w1").isGreaterThanOrEqualTo(20);
            assertThat(crashingExecutor.inFlight()).as("items w1 still holds").isPositive();
        });
        doomed.abandon();
        assertThat(doomed.awaitTermination(Duration.ofSeconds(30))).isTrue();
        crashingExecutor.close();

        // Restart under the same instance id (same transactional id: its zombie transaction is fenced).
        WorkerService restarted = fixture.startWorker("w1", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> !restarted.assignment().isEmpty());

        // Scale from 2 to 3 workers mid-stream.
        fixture.produce(withFinalResults(items(300, 400)));
        WorkerService third = fixture.startWorker("w3", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> !third.assignment().isEmpty());
        fixture.produce(withFinalResults(items(400, 500)));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> fixture.committedResults().size() >= 500);
        fixture.stopAll();

        List<WorkResult> results = fixture.committedResults();
        Map<String, Long> perRequest = results.stream().collect(Collectors.groupingBy(WorkResult::getRequestId, Collectors.counting()));
        assertThat(perRequest).hasSize(500);
        assertThat(perRequest.values()).allMatch(count -> count == 1L);
        assertThat(results).allMatch(r -> r.getStatus() == WorkStatus.OK);
        assertThat(results).extracting(WorkResult::getWorkerId).contains("w1", "w2", "w3");
        // every even request let its worker publish the final result: exactly one each, and none for the odd ones
        Map<String, Long> finalsPerRequest = fixture.committedFinalResults().stream()
                .collect(Collectors.groupingBy(r -> r.value().getRequestId(), Collectors.counting()));
        Set<String> claimed = results.stream().filter(WorkResult::getFinalResultPublished).map(WorkResult::getRequestId)
                .collect(Collectors.toSet());
        assertThat(claimed).hasSize(250).allMatch(id -> Integer.parseInt(id.substring(4)) % 2 == 0);
        assertThat(finalsPerRequest.keySet()).isEqualTo(claimed);
        assertThat(finalsPerRequest.values()).allMatch(count -> count == 1L);
        assertThat(third.fatalError()).isNull();
        assertThat(restarted.fatalError()).isNull();
        assertThat(steady.fatalError()).isNull();
    }

    /** Even requests carry a {@code finalResultDeadline} far ahead: their worker publishes the final result. */
    private static List<WorkItem> withFinalResults(List<WorkItem> items) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
        return items.stream().map(item -> Integer.parseInt(item.getRequestId().substring(4)) % 2 != 0 ? item
                : WorkItem.newBuilder(item).setFinalResultDeadline(deadline).build()).toList();
    }

    private static long resultsBy(KafkaFixture fixture, String workerId) {
        return fixture.committedResults().stream().filter(r -> r.getWorkerId().equals(workerId)).count();
    }

    static List<WorkItem> items(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> WorkItems.classify("req-" + i, i % 2 == 0 ? "billing question" : "tech issue"))
                .collect(Collectors.toList());
    }

    static Map<String, WorkResult> byRequest(List<WorkResult> results) {
        return results.stream().collect(Collectors.toMap(WorkResult::getRequestId, Function.identity()));
    }
}

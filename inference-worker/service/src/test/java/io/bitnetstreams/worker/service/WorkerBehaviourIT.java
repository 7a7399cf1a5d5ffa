package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Flow control, poison records, failures, retries and expiry against a real broker and registry. */
@WithKafka
@WithSchemaRegistry
class WorkerBehaviourIT {

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
    void fullQueuePausesPartitionsAndResumesWhenWorkCompletes() {
        fixture.produce(ExactlyOnceIT.items(0, 30));
        GatedExecutor executor = new GatedExecutor(4);
        WorkerService worker = fixture.startWorker("flow", executor);

        await().atMost(Duration.ofSeconds(30)).until(worker::pausedForCapacity);
        assertThat(worker.pending()).isEqualTo(4);
        assertThat(executor.inFlight()).isEqualTo(4);

        executor.release(30);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 30);
        await().atMost(Duration.ofSeconds(10)).until(() -> !worker.pausedForCapacity());
        assertThat(ExactlyOnceIT.byRequest(fixture.committedResults())).hasSize(30);
        executor.close();
    }

    @Test
    void aFinishedItemIsPublishedWithoutWaitingForTheLongPoll() {
        // a poll that would hold a finished result for a minute if the completion did not cut it short
        aLoneFinishedItemIsCommittedWithin15Seconds("prompt",
                Map.of("bitnet.poll.timeout.ms", "60000", "bitnet.commit.interval.ms", "50"));
    }

    @Test
    void aLoneResultIsPublishedAtOnceTheCommitIntervalOnlyLimitsTheTransactionRate() {
        // Polls every 100 ms find nothing to publish; they must not start the interval: only a transaction does.
        // Otherwise this result would wait for the 2-minute interval (and with the default 200 ms, a lone result
        // waited up to 200 ms, depending on where in the idle loop's rhythm it finished).
        aLoneFinishedItemIsCommittedWithin15Seconds("lone",
                Map.of("bitnet.poll.timeout.ms", "100", "bitnet.commit.interval.ms", "120000"));
    }

    @Test
    void aStopEndsALongPollAtOnce() throws InterruptedException {
        // an idle worker blocked in a one-minute poll must not hold its shutdown (SIGTERM) for that minute
        WorkerService worker = fixture.startWorker("long-poll", new KeywordWorkExecutor(1, 8, 4),
                Map.of("bitnet.poll.timeout.ms", "60000"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.assignment().isEmpty());
        worker.shutdown();
        assertThat(worker.awaitTermination(Duration.ofSeconds(15))).as("stopped well before the poll timeout").isTrue();
    }

    /** One item through a worker with {@code settings}; once it finishes (the loop back in its poll), its result must be committed within 15 s. */
    private void aLoneFinishedItemIsCommittedWithin15Seconds(String name, Map<String, String> settings) {
        GatedExecutor executor = new GatedExecutor(4);
        WorkerService worker = fixture.startWorker(name, executor, settings);
        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.assignment().isEmpty());
        fixture.produce(ExactlyOnceIT.items(0, 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> executor.inFlight() == 1);

        executor.release(1);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> fixture.committedResults().size() == 1);
        executor.close();
    }

    @Test
    void aZombieIsFencedByItsRestartAndCommitsNothingMore() throws Exception {
        fixture.produce(ExactlyOnceIT.items(0, 20));
        GatedExecutor stuck = new GatedExecutor(32);
        WorkerService zombie = fixture.startWorker("z", stuck);
        await().atMost(Duration.ofSeconds(30)).until(() -> zombie.pending() > 0);

        // Same instance id, same transactional id: initTransactions bumps the epoch and fences the zombie.
        WorkerService successor = fixture.startWorker("z", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> !successor.assignment().isEmpty());
        stuck.release(100); // the zombie now tries to commit its results

        assertThat(zombie.awaitTermination(Duration.ofSeconds(30))).isTrue();
        assertThat(zombie.fatalError()).isInstanceOf(org.apache.kafka.common.errors.ProducerFencedException.class);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 20);
        fixture.stopAll();
        assertThat(ExactlyOnceIT.byRequest(fixture.committedResults())).hasSize(20); // toMap fails on a duplicate
        assertThat(fixture.committedResults()).hasSize(20);
        stuck.close();
    }

    @Test
    void anUnreachableRegistryNeverDeadLettersGoodRecords() throws Exception {
        fixture.produce(ExactlyOnceIT.items(0, 3));
        WorkerService worker = fixture.startWorker("no-registry", new KeywordWorkExecutor(1, 8, 4),
                Map.of("schema.registry.url", "http://127.0.0.1:1", "bitnet.schema.registry.max.retries", "0"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.assignment().isEmpty());

        // The records are fine; the worker keeps retrying them instead of dead-lettering or failing them.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> worker.isLive() && worker.fatalError() == null && worker.pending() == 0);
        fixture.stopAll();
        assertThat(fixture.committedDeadLetters()).isEmpty();
        assertThat(fixture.committedResults()).isEmpty();
    }

    @Test
    void poisonRecordIsDeadLetteredAndItsPartitionMovesOn() {
        fixture.produceRaw(0, "poison", "not avro at all".getBytes(StandardCharsets.UTF_8));
        fixture.produceRaw(0, "unknown-schema", new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2});
        List<WorkItem> items = ExactlyOnceIT.items(0, 10);
        fixture.produce(items);
        fixture.startWorker("poison", new KeywordWorkExecutor(1, 8, 4));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 10);
        List<DeadLetter> deadLetters = fixture.committedDeadLetters();
        assertThat(deadLetters).extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder(DeadLetterReason.MALFORMED_RECORD, DeadLetterReason.UNKNOWN_SCHEMA_ID);
        assertThat(deadLetters).allSatisfy(d -> {
            assertThat(d.getSourceTopic()).isEqualTo(fixture.workTopic);
            assertThat(d.getSourcePartition()).isZero();
            assertThat(d.getOriginalValue()).isNotNull();
        });
        assertThat(deadLetters.stream().filter(d -> d.getReason() == DeadLetterReason.MALFORMED_RECORD).findFirst().orElseThrow()
                .getOriginalValue()).isEqualTo(java.nio.ByteBuffer.wrap("not avro at all".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void appServesProbesAndMetricsAndStopsCleanly() throws Exception {
        Map<String, String> values = new java.util.HashMap<>(Map.of(
                "bitnet.model", "keyword", "bitnet.instance.id", "app", "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", registry.url(), "bitnet.tasks", "classify", "bitnet.topic.work.classify", fixture.workTopic,
                "bitnet.topic.work.results", fixture.resultsTopic, "bitnet.topic.dlq", fixture.deadLetterTopic, "group.id", fixture.group,
                "bitnet.http.port", "0"));
        values.put("bitnet.commit.interval.ms", "100");
        values.put("bitnet.topic.results.classification", fixture.finalResultsTopic); // must exist: the start checks it
        var config = io.bitnetstreams.worker.config.WorkerConfigLoader.fromMap(values, Map.of());
        fixture.produce(ExactlyOnceIT.items(0, 5));
        var http = java.net.http.HttpClient.newHttpClient();
        try (var app = WorkerApp.start(config, io.bitnetstreams.worker.executor.ExecutorFactory.keywordOr(c -> {
            throw new IllegalStateException("no engine here");
        }))) {
            java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + app.httpPort() + path)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(get.apply("/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get.apply("/health/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 5);
            await().atMost(Duration.ofSeconds(10)).until(() -> get.apply("/metrics").body()
                    .contains("bitnet_worker_items_total{outcome=\"ok\",task=\"classify\"} 5.0"));
            String metrics = get.apply("/metrics").body();
            assertThat(metrics).contains("bitnet_worker_latency_seconds_count{stage=\"publish\"}", "bitnet_worker_queue_depth",
                    "bitnet_worker_tokens_prompt_total", "bitnet_worker_model_load_seconds", "jvm_memory_used_bytes",
                    "kafka_consumer_fetch_manager_records_consumed_total", "bitnet_worker_transactions_total{result=\"committed\"}");
            assertThat(get.apply("/nope").statusCode()).isEqualTo(404);
            assertThat(app.stop()).isTrue();
            assertThat(app.service().isLive()).isFalse();
        }
    }

    @Test
    void failuresRetriesAndDeadlinesGetTheirOwnResults() {
        fixture.produce(List.of(
                WorkItems.classify("fails", "please #fail"),
                WorkItems.classify("flaky", "billing #transient"),
                WorkItems.classify("late", "billing", 0, Instant.now().minusSeconds(5)),
                WorkItems.classify("fine", "tech tech")));
        fixture.startWorker("failures", new KeywordWorkExecutor(1, 8, 4));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> fixture.committedResults().size() >= 4);
        Map<String, WorkResult> results = ExactlyOnceIT.byRequest(fixture.committedResults());
        assertThat(results.get("fails").getStatus()).isEqualTo(WorkStatus.FAILED);
        assertThat(results.get("fails").getError()).contains("IllegalArgumentException").contains("#fail");
        assertThat(results.get("flaky").getStatus()).isEqualTo(WorkStatus.OK);
        assertThat(results.get("late").getStatus()).isEqualTo(WorkStatus.EXPIRED);
        assertThat(results.get("late").getUsage().getPromptTokens()).isZero();
        assertThat(results.get("fine").getStatus()).isEqualTo(WorkStatus.OK);
        assertThat(results.get("fine").getModelId()).isEqualTo(KeywordWorkExecutor.MODEL_ID);
    }
}

package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import io.bitnetstreams.worker.executor.AdmissionQueue.Job;
import io.bitnetstreams.worker.executor.QueuedWorkExecutor;
import io.bitnetstreams.worker.executor.WorkItems;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Speculative reads against a real broker and registry: a work item runs while the transaction that wrote it is still
 * open, nothing is published from it unless that transaction commits, and a committed item runs once.
 */
@WithKafka
@WithSchemaRegistry
class SpeculativeReadsIT {

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
    void anItemRunsBeforeItsCommitAndOnlyACommittedItemIsPublished() throws Exception {
        WorkerMetrics metrics = WorkerMetrics.inMemory();
        RecordingExecutor executor = new RecordingExecutor();
        WorkerService worker = fixture.startWorker("speculating", executor, Map.of(), metrics);
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.assignment().size() == 2
                && worker.speculativelyReading().equals(worker.assignment()));

        try (var producer = transactionalProducer("writer-a")) {
            producer.beginTransaction();
            send(producer, WorkItems.classify("aborted", "a broken invoice"));
            producer.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> executor.submitted.contains("aborted"));
            assertThat(fixture.committedResults()).as("nothing is published while the item's transaction is open").isEmpty();
            producer.abortTransaction();

            producer.beginTransaction();
            send(producer, WorkItems.classify("committed", "an invoice")); // same key: the same partition, after it
            producer.commitTransaction();
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !fixture.committedResults().isEmpty());
        fixture.stopAll();

        List<String> published = fixture.committedResults().stream().map(WorkResult::getRequestId).toList();
        assertThat(published).containsExactly("committed");
        assertThat(fixture.everythingWritten(fixture.resultsTopic, WorkResult.class))
                .as("not even an aborted transaction of the worker holds a result of the aborted item")
                .noneMatch(r -> r.value().getRequestId().equals("aborted"));
        assertThat(executor.submitted).as("each item ran once").containsExactlyInAnyOrder("aborted", "committed");
        long[] speculations = metrics.speculations(); // started, adopted, dropped
        assertThat(speculations[2]).as("the aborted item's speculation was dropped").isGreaterThanOrEqualTo(1);
        assertThat(speculations[0]).as("every speculation was adopted or dropped").isEqualTo(speculations[1] + speculations[2]);
    }

    @Test
    void switchedOffNothingRunsBeforeTheCommit() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        WorkerService worker = fixture.startWorker("waiting", executor, Map.of("bitnet.speculative.reads", "false"));
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.assignment().size() == 2);
        assertThat(worker.speculativelyReading()).isEmpty();

        try (var producer = transactionalProducer("writer-b")) {
            producer.beginTransaction();
            send(producer, WorkItems.classify("slow", "an invoice"));
            producer.flush();
            // 2 s: what a speculating worker needs well under (see the test above)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(executor.submitted::isEmpty);
            producer.commitTransaction();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !fixture.committedResults().isEmpty());
        assertThat(executor.submitted).containsExactly("slow");
    }

    private KafkaProducer<String, WorkItem> transactionalProducer(String transactionalId) {
        Map<String, Object> props = new HashMap<>(kafka.transactionalProducerConfig(transactionalId + "-" + fixture.group));
        props.putAll(fixture.serde());
        AvroSerializer<WorkItem> serializer = new AvroSerializer<>();
        serializer.configure(props, false);
        var producer = new KafkaProducer<>(props, new StringSerializer(), serializer);
        producer.initTransactions();
        return producer;
    }

    private void send(KafkaProducer<String, WorkItem> producer, WorkItem item) {
        producer.send(new ProducerRecord<>(fixture.workTopic, "one-key", item));
    }

    /** Keyword classification that remembers which items it was handed (the shape of {@link GatedExecutor}). */
    private static final class RecordingExecutor extends QueuedWorkExecutor {
        final List<String> submitted = new CopyOnWriteArrayList<>();

        RecordingExecutor() {
            super("recording", 1, 16, 4, Clock.systemUTC());
            start();
        }

        @Override
        public CompletableFuture<WorkOutcome> submit(WorkItem item) {
            submitted.add(item.getRequestId());
            return super.submit(item);
        }

        @Override
        protected void runBatch(List<Job> jobs) {
            for (Job job : jobs) {
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
            return "recording";
        }
    }
}

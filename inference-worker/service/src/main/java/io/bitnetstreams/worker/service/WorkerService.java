package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.results.FinalResults;
import io.bitnetstreams.schemas.DeadLetters;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.schemas.serde.SerdeException;
import io.bitnetstreams.schemas.serde.SerdeFailures;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process's Kafka side: a consumer-group member on the task topics that feeds work items to a
 * {@link WorkExecutor} and publishes {@link WorkResult}s exactly once. This class is the loop; each concern it
 * drives lives in its own class:
 * <ul>
 *   <li>{@link InFlightWork}: each consumed record gets an {@link Entry} in its partition's {@link PartitionLedger}
 *       until it is committed;</li>
 *   <li>{@link TransactionalCommitter}: per partition, the contiguous prefix of completed entries is published in
 *       one transaction with the offsets just past it (results completed out of order wait until everything before
 *       them is done), at most once per {@code commitInterval}: a completion wakes the poll up and is committed at
 *       once when the last commit is that long ago, else when it becomes due (so the interval bounds the transaction
 *       rate under load, and adds no latency to a lone result); on an abortable error the transaction is aborted and
 *       every tracked partition is rewound to its last committed offset;</li>
 *   <li>{@link FlowControl}: at most {@code executor.queueCapacity()} items are with the executor (its one
 *       admission queue); beyond that all partitions are paused and surplus polled records are sought back;
 *       a registry outage pauses the partition and retries the same record later;</li>
 *   <li>{@link RebalanceHandler}: revoked partitions finish and commit what is in flight, lost ones commit
 *       nothing.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One loop thread owns the consumer, the producer and all bookkeeping; executor threads only put
 * outcomes on a queue the loop drains. A restarted instance (same transactional id) aborts any open transaction in
 * {@code initTransactions}. Expired items get an EXPIRED result without inference; an undeserializable record goes
 * to the dead-letter topic.
 */
public final class WorkerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);
    private static final Duration REGISTRY_RETRY_BACKOFF = Duration.ofSeconds(1);
    /** A speculation not adopted within this long is dropped (longer than any transaction a topology keeps open). */
    private static final Duration SPECULATION_TIMEOUT = Duration.ofMinutes(2);

    private record Completion(Entry entry, WorkOutcome outcome, Throwable failure) {}

    private final WorkerConfig config;
    private final WorkExecutor executor;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Map<String, Object> consumerProps;
    private final Map<String, Object> producerProps;
    /** Dead letters keep at most this much of an original value, so they always fit the producer's limit. */
    private final int maxDeadLetterValueBytes;

    private final InFlightWork work = new InFlightWork();
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<Throwable> fatalError = new AtomicReference<>();

    /** Volatile: executor threads read it to wake the loop up. */
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private AvroDeserializer<WorkItem> itemDeserializer;
    private AvroSerializer<SpecificRecord> outputSerializer;
    private KafkaClientMetrics consumerMetrics;
    private KafkaClientMetrics producerMetrics;
    private FlowControl flow;
    private TransactionalCommitter committer;
    private volatile SpeculativeReader speculativeReader;
    /** Written by the loop after each round, read by the speculative reader: may another speculation start? */
    private volatile boolean roomForSpeculation = true;
    private Speculations speculations;
    private volatile Thread loopThread;
    /** Start of the last transaction (or attempt at one); only transactions start the commit interval. */
    private long lastCommitMillis;
    private volatile boolean stopRequested;
    private volatile boolean abandonRequested;
    private volatile boolean abandoned;
    private volatile boolean crashInCommit;
    private volatile boolean started;
    private volatile long inFlightGauge;

    public WorkerService(WorkerConfig config, WorkExecutor executor, WorkerMetrics metrics, Clock clock) {
        this.config = config;
        this.executor = executor;
        this.metrics = metrics;
        this.clock = clock;
        this.consumerProps = clientProps(config.consumerDefaults());
        this.producerProps = clientProps(config.producerDefaults());
        this.maxDeadLetterValueBytes = DeadLetters.maxOriginalValueBytes(producerProps);
    }

    private Map<String, Object> clientProps(Map<String, Object> defaults) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.putAll(config.kafka());
        return props;
    }

    /** Starts the poll loop on its own thread. */
    public synchronized void start() {
        if (loopThread != null) {
            throw new IllegalStateException("already started");
        }
        loopThread = Thread.ofPlatform().name("bitnet-worker-loop-" + config.instanceId()).unstarted(this::runLoop);
        loopThread.start();
    }

    /** Asks the loop to stop: no more polling, in-flight work finished within the grace period, committed. */
    public void shutdown() {
        stopRequested = true;
        wakeLoop(); // a loop blocked in its poll would notice only after bitnet.poll.timeout.ms
    }

    /** Waits for the loop to end; true if it did within the timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Failure that ended the loop, if any (fenced producer, fatal Kafka error). */
    public Throwable fatalError() {
        return fatalError.get();
    }

    /** Live: the loop was started and has not ended. */
    public boolean isLive() {
        return loopThread != null && terminated.getCount() > 0;
    }

    /** Ready: the executor's model is loaded and this member has partitions assigned. */
    public boolean isReady() {
        return isLive() && started && executor.ready() && !assigned.isEmpty();
    }

    /** Partitions currently assigned to this member. */
    public Set<TopicPartition> assignment() {
        return Set.copyOf(assigned);
    }

    /**
     * Test hook simulating a crash: the loop drops everything, leaving any open transaction uncommitted,
     * and closes its clients without committing (the consumer still leaves the group on close).
     */
    void abandon() {
        abandonRequested = true;
    }

    /**
     * Test hook simulating a crash at the worst moment: the next transaction sends everything (work results, final
     * results) and the worker dies before committing it.
     */
    void crashInNextCommit() {
        crashInCommit = true;
    }

    @Override
    public void close() {
        shutdown();
        try {
            if (loopThread != null && !awaitTermination(config.shutdownGrace().plusSeconds(30))) {
                log.warn("worker loop did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the loop

    private void runLoop() {
        try {
            openClients();
            started = true;
            while (!stopRequested && !abandonRequested) {
                ConsumerRecords<byte[], byte[]> records = poll();
                if (abandonRequested) {
                    break;
                }
                accept(records);
                speculate();
                drainCompletions(0);
                commitIfDue(false);
                flow.apply(withExecutor());
                roomForSpeculation = speculations.hasRoom(work.pending());
                inFlightGauge = work.pending();
            }
            if (abandonRequested) {
                abandonNow();
            } else {
                gracefulStop();
            }
        } catch (TransactionalCommitter.AbandonedException e) {
            abandonNow();
        } catch (TransactionalCommitter.FatalWorkerException e) {
            fatalError.set(e.getCause());
            log.error("worker {} stopping: {}", config.instanceId(), e.getMessage(), e.getCause());
            abandonNow();
        } catch (Throwable e) {
            fatalError.set(e);
            log.error("worker {} loop failed", config.instanceId(), e);
            abandonNow();
        } finally {
            assigned.clear();
            terminated.countDown();
        }
    }

    /**
     * One poll, cut short when there is something to publish: a completion wakes the consumer up (see
     * {@link #submit}), and while completed results wait for their commit the poll ends when that commit is due. So a
     * finished item waits neither for {@code pollTimeout} nor for records to arrive, and an idle worker still blocks
     * in the poll instead of spinning.
     */
    private ConsumerRecords<byte[], byte[]> poll() {
        Duration timeout = config.pollTimeout();
        if (work.hasCompleted()) {
            long untilDue = Math.max(0, lastCommitMillis + config.commitInterval().toMillis() - clock.millis());
            timeout = Duration.ofMillis(Math.min(untilDue, timeout.toMillis()));
        }
        try {
            return consumer.poll(timeout);
        } catch (WakeupException e) {
            return ConsumerRecords.empty(); // a completion arrived: publish it; the fetched records stay buffered
        }
    }

    private void openClients() {
        itemDeserializer = new AvroDeserializer<>(WorkItem.class);
        itemDeserializer.configure(config.serde(), false);
        outputSerializer = new AvroSerializer<>();
        outputSerializer.configure(config.serde(), false);
        producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(metrics.registry());
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics.registry());
        flow = new FlowControl(consumer, executor.queueCapacity(), REGISTRY_RETRY_BACKOFF, clock);
        committer = new TransactionalCommitter(producer, outputSerializer, metrics, clock, () -> abandonRequested || crashInCommit);
        // Up to one batch of items may run ahead of their commit; the committed read always keeps room (see Speculations).
        speculations = new Speculations(executor.queueCapacity(), Math.max(1, config.maxBatchSize()), executor::submit,
                metrics.speculationListener());
        if (config.speculativeReads()) {
            speculativeReader = new SpeculativeReader(config.speculativeReaderProperties(consumerProps), this::assignment,
                    this::wakeLoop, () -> roomForSpeculation, Math.max(16, 2 * executor.queueCapacity()),
                    "bitnet-worker-speculative-" + config.instanceId());
            speculativeReader.start();
        }
        consumer.subscribe(config.subscribedTopics(), new RebalanceHandler(config.instanceId(), config.revokeGrace(),
                work, flow, assigned, new RebalanceHandler.Loop() {
                    @Override
                    public void finishInFlight(Collection<TopicPartition> partitions, Duration grace)
                            throws InterruptedException {
                        WorkerService.this.finishInFlight(partitions, grace);
                    }

                    @Override
                    public void commitNow() {
                        commitIfDue(true);
                    }

                    @Override
                    public boolean abandoning() {
                        return abandoned || abandonRequested;
                    }
                }));
        lastCommitMillis = Long.MIN_VALUE / 2; // no transaction yet: the first completed result is published at once
        log.info("worker {} consuming {} as {} (transactional id {})", config.instanceId(), config.subscribedTopics(),
                config.groupId(), config.transactionalId());
    }

    // ---------------------------------------------------------------- consuming

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionLedger ledger = work.ledger(partition);
            if (ledger == null) {
                continue; // revoked within this poll
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!speculations.has(record) && !flow.hasRoom(withExecutor())) {
                    flow.putBack(partition, record.offset()); // fetched again after resume
                    break;
                }
                if (!acceptRecord(ledger, record)) {
                    break;
                }
            }
        }
    }

    /** Tracks one record; false if the rest of its partition must wait (registry unavailable). */
    private boolean acceptRecord(PartitionLedger ledger, ConsumerRecord<byte[], byte[]> record) {
        speculations.read(record);
        Entry entry = new Entry(record);
        long now = clock.millis();
        WorkItem item;
        try {
            item = itemDeserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            // A record problem (bad bytes, unknown id) may carry the registry's 404 as its cause: it wins.
            if (SerdeFailures.recordProblem(e).isEmpty() && SerdeFailures.registryProblem(e).isPresent()) {
                log.warn("schema registry unavailable reading {}-{}@{}; retrying in {}", record.topic(), record.partition(),
                        record.offset(), REGISTRY_RETRY_BACKOFF, e);
                flow.backOff(entry.partition(), record.offset());
                return false;
            }
            DeadLetterReason reason = SerdeFailures.recordProblem(e).map(SerdeException::deadLetterReason)
                    .orElse(DeadLetterReason.MALFORMED_RECORD);
            log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), Results.describe(e));
            speculations.discard(record);
            entry.done(config.deadLetterTopic(), null, Results.deadLetter(record, reason, Results.describe(e), now, maxDeadLetterValueBytes), now);
            ledger.add(entry);
            metrics.item("unknown", "dead_letter");
            return true;
        }
        if (item == null) {
            entry.done(config.deadLetterTopic(), null,
                    Results.deadLetter(record, DeadLetterReason.INVALID_REQUEST, "record has no value (tombstone)", now,
                            maxDeadLetterValueBytes), now);
            ledger.add(entry);
            metrics.item("unknown", "dead_letter");
            return true;
        }
        entry.item(item);
        ledger.add(entry);
        if (log.isDebugEnabled()) {
            // where a request's way in goes: the record's timestamp is when the topology's producer sent it
            log.debug("read {}#{} at {}, {} ms after it was sent", item.getRequestId(), item.getChunkIndex(), now,
                    now - record.timestamp());
        }
        if (item.getDeadline() != null && item.getDeadline().toEpochMilli() <= now) {
            speculations.discard(record);
            complete(entry, WorkOutcome.expired("deadline " + item.getDeadline() + " passed before the item was consumed",
                    Math.max(0, now - item.getCreatedAt().toEpochMilli())));
            return true;
        }
        CompletableFuture<WorkOutcome> speculated = speculations.adopt(record);
        submit(entry, speculated != null ? speculated : executor.submit(item));
        return true;
    }

    private void submit(Entry entry, WorkItem item) {
        submit(entry, executor.submit(item));
    }

    private void submit(Entry entry, CompletableFuture<WorkOutcome> future) {
        work.submitted();
        entry.running(future);
        future.whenComplete((outcome, failure) -> {
            completions.add(new Completion(entry, outcome, failure));
            wakeLoop(); // the loop may be blocked in poll: commit the result now, not after pollTimeout
        });
    }

    /** Items with the executor: the committed read's, and speculations not adopted yet. */
    private long withExecutor() {
        return work.pending() + speculations.unadopted();
    }

    /**
     * Starts inference on the records the speculative reader saw before their commit, while there is room, and drops
     * speculations that can no longer be adopted.
     */
    private void speculate() {
        if (speculativeReader == null) {
            return;
        }
        long now = clock.millis();
        speculations.retain(assigned, now - SPECULATION_TIMEOUT.toMillis());
        for (ConsumerRecord<byte[], byte[]> record = speculativeReader.next(); record != null; record = speculativeReader.next()) {
            PartitionLedger ledger = work.ledger(new TopicPartition(record.topic(), record.partition()));
            if (ledger == null) {
                continue; // no longer ours
            }
            WorkItem item;
            try {
                item = itemDeserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                continue; // the committed read dead-letters it, or retries the registry
            }
            if (item != null && (item.getDeadline() == null || item.getDeadline().toEpochMilli() > now)) {
                boolean started = speculations.start(record, item, work.pending(), now);
                if (started && log.isDebugEnabled()) {
                    log.debug("speculating on {}#{} at {}, {} ms after it was sent", item.getRequestId(), item.getChunkIndex(),
                            now, now - record.timestamp());
                }
            }
        }
    }

    /** Ends a poll the loop is blocked in (it returns no records and the loop goes round). */
    private void wakeLoop() {
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    // ---------------------------------------------------------------- completing

    /** Applies finished work; waits up to {@code waitMillis} for the first one. */
    private void drainCompletions(long waitMillis) throws InterruptedException {
        Completion first = waitMillis > 0 ? completions.poll(waitMillis, TimeUnit.MILLISECONDS) : completions.poll();
        for (Completion c = first; c != null; c = completions.poll()) {
            apply(c);
        }
    }

    private void apply(Completion completion) {
        Entry entry = completion.entry();
        if (!work.tracks(entry) || entry.isDone()) {
            return; // dropped by a rebalance or an abort: someone else redoes it
        }
        work.finished();
        Throwable failure = completion.failure() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : completion.failure();
        if (failure == null) {
            complete(entry, completion.outcome());
        } else if (failure instanceof CancellationException) {
            complete(entry, new WorkOutcome(WorkStatus.CANCELLED, null, "cancelled", 0, 0, 0, 0, 0));
        } else if (failure instanceof TransientWorkException && entry.attempts() <= config.maxRetries()) {
            log.debug("retrying {} after transient failure: {}", entry.item().getRequestId(), failure.getMessage());
            WorkItem retry = WorkItem.newBuilder(entry.item()).setAttempt(entry.item().getAttempt() + 1).build();
            entry.item(retry);
            submit(entry, retry);
        } else {
            String attempts = failure instanceof TransientWorkException ? " (after " + entry.attempts() + " attempts)" : "";
            complete(entry, WorkOutcome.failed(Results.describe(failure) + attempts, 0, 0));
        }
    }

    private void complete(Entry entry, WorkOutcome outcome) {
        long now = clock.millis();
        WorkItem item = entry.item();
        WorkResult result = Results.result(item, outcome, config.instanceId(), executor.modelId(), now);
        Entry.FinalClaim claim = null;
        if (config.publishFinalResults() && FinalResults.workerAllowed(item)) {
            if (FinalResults.workerMayPublish(item, now)) {
                claim = Results.finalClaim(item, result, config.topics(), now);
            } else {
                // Already too close to the deadline (an item that expired in the queue, say): it would be too late at
                // the commit as well, and claiming would only cost an aborted transaction (and building the result).
                metrics.finalResultsGivenUp(1);
            }
        }
        entry.done(config.resultsTopic(), item.getRequestId(), claim == null ? result : Results.claiming(result), now, claim);
        metrics.item(taskName(item), outcome.status().name());
        if (outcome.status() == WorkStatus.OK) {
            metrics.inference(outcome.batchSize(), outcome.promptTokens(), outcome.generatedTokens(), outcome.queuedMs(), outcome.inferenceMs());
        }
    }

    private static String taskName(WorkItem item) {
        return item.getTask().getClass().getSimpleName().replace("Task", "");
    }

    // ---------------------------------------------------------------- committing

    /**
     * Commits when something is publishable and the last transaction is at least {@code commitInterval} ago. Only a
     * transaction (or an attempt at one) starts the interval: checks that found nothing to publish do not, or an idle
     * loop would restart the interval at every poll and a lone result would wait up to a whole interval for it.
     */
    private void commitIfDue(boolean force) {
        long now = clock.millis();
        if (!force && (!work.hasCompleted() || now - lastCommitMillis < config.commitInterval().toMillis())) {
            return;
        }
        if (commit() != TransactionalCommitter.Outcome.NOTHING) {
            lastCommitMillis = now;
        }
    }

    private TransactionalCommitter.Outcome commit() {
        TransactionalCommitter.Outcome outcome = committer.commit(work, consumer.groupMetadata());
        if (outcome == TransactionalCommitter.Outcome.ABORTED) {
            rewind();
        }
        return outcome;
    }

    /** After an abort: every tracked partition restarts from its last committed offset. */
    private void rewind() {
        work.firstOffsets().forEach((partition, first) -> {
            if (assigned.contains(partition)) {
                consumer.seek(partition, first);
            }
        });
        work.cancelAll();
    }

    /** The partitions the speculative reader is positioned on (tests); empty when speculative reads are off. */
    Set<TopicPartition> speculativelyReading() {
        SpeculativeReader reader = speculativeReader;
        return reader == null ? Set.of() : reader.positioned();
    }

    /** True while the consumer holds partitions paused for lack of executor capacity (tests, metrics). */
    boolean pausedForCapacity() {
        return flow != null && flow.pausedForCapacity();
    }

    long pending() {
        return work.pending();
    }

    /** Items consumed and not yet committed (read from any thread; approximate). */
    public long inFlightCount() {
        return inFlightGauge;
    }

    // ---------------------------------------------------------------- stopping

    private void gracefulStop() throws InterruptedException {
        log.info("worker {} stopping: {} items in flight, grace {}", config.instanceId(), work.pending(),
                config.shutdownGrace());
        flow.pauseAll();
        finishInFlight(work.partitions(), config.shutdownGrace());
        commitIfDue(true);
        work.dropAll();
        closeClients(Duration.ofSeconds(30));
        log.info("worker {} stopped", config.instanceId());
    }

    /** Waits until the given partitions have nothing in flight or the grace period ends. */
    private void finishInFlight(Collection<TopicPartition> partitions, Duration grace) throws InterruptedException {
        long deadline = clock.millis() + grace.toMillis();
        while (work.pendingIn(partitions) > 0 && clock.millis() < deadline && !abandonRequested) {
            drainCompletions(Math.min(50, Math.max(1, deadline - clock.millis())));
        }
    }

    private void abandonNow() {
        abandoned = true;
        work.dropAll();
        closeClients(Duration.ZERO);
    }

    private void closeClients(Duration timeout) {
        if (speculativeReader != null) {
            speculativeReader.close();
        }
        if (speculations != null) {
            speculations.dropAll();
        }
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        if (producerMetrics != null) {
            producerMetrics.close();
        }
        if (consumer != null) {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(timeout.isZero() ? Duration.ofMillis(1) : timeout));
            } catch (RuntimeException e) {
                log.warn("consumer close: {}", Results.describe(e));
            }
        }
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                log.warn("producer close: {}", Results.describe(e));
            }
        }
        if (itemDeserializer != null) {
            itemDeserializer.close();
        }
        if (outputSerializer != null) {
            outputSerializer.close();
        }
    }
}

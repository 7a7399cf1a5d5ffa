package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process's Kafka side: a consumer-group member on the task topics that feeds work items to a
 * {@link WorkExecutor} and publishes {@link WorkResult}s exactly once.
 *
 * <h2>Threads</h2>
 * One loop thread owns the consumer, the producer and all bookkeeping; executor threads only put
 * outcomes on a queue the loop drains.
 *
 * <h2>Exactly once</h2>
 * Each consumed record gets an {@link Entry} in its partition's {@link PartitionLedger}. Every
 * {@code commitInterval} the loop takes, per partition, the contiguous prefix of completed entries and
 * publishes their results in one transaction together with the offsets just past that prefix
 * ({@code sendOffsetsToTransaction} with the consumer's group metadata, so a zombie from an older
 * generation is fenced). Results of records completed out of order wait until everything before them is
 * done. A crash at any point therefore either commits a prefix with its results, or neither; the restarted
 * instance (same transactional id) aborts any open transaction in {@code initTransactions}. On an abortable
 * commit error the transaction is aborted and every tracked partition is rewound to its last committed
 * offset.
 *
 * <h2>Flow control</h2>
 * At most {@code executor.queueCapacity()} items are in flight; beyond that all partitions are paused and
 * surplus polled records are sought back, to be fetched again after resume. Expired items get an EXPIRED
 * result without inference; an undeserializable record goes to the dead-letter topic; a registry outage
 * pauses the partition and retries the same record later.
 */
public final class WorkerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);
    private static final Duration REGISTRY_RETRY_BACKOFF = Duration.ofSeconds(1);

    private record Completion(Entry entry, WorkOutcome outcome, Throwable failure) {}

    private final WorkerConfig config;
    private final WorkExecutor executor;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Map<String, Object> consumerProps;
    private final Map<String, Object> producerProps;
    /** Dead letters keep at most this much of an original value, so they always fit the producer's limit. */
    private final int maxDeadLetterValueBytes;

    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, Long> registryBackoffUntil = new HashMap<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<Throwable> fatalError = new AtomicReference<>();

    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private AvroDeserializer<WorkItem> itemDeserializer;
    private AvroSerializer<SpecificRecord> outputSerializer;
    private KafkaClientMetrics consumerMetrics;
    private KafkaClientMetrics producerMetrics;
    private volatile Thread loopThread;
    private long pending;
    private long lastCommitMillis;
    private boolean pausedForCapacity;
    private volatile boolean stopRequested;
    private volatile boolean abandonRequested;
    private volatile boolean abandoned;
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
                ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
                if (abandonRequested) {
                    break;
                }
                accept(records);
                drainCompletions(0);
                commitIfDue(false);
                applyFlowControl();
                inFlightGauge = pending;
            }
            if (abandonRequested) {
                abandonNow();
            } else {
                gracefulStop();
            }
        } catch (AbandonedException e) {
            abandonNow();
        } catch (FatalWorkerException e) {
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
        consumer.subscribe(config.subscribedTopics(), new Rebalance());
        lastCommitMillis = clock.millis();
        log.info("worker {} consuming {} as {} (transactional id {})", config.instanceId(), config.subscribedTopics(),
                config.groupId(), config.transactionalId());
    }

    // ---------------------------------------------------------------- consuming

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionLedger ledger = ledgers.get(partition);
            if (ledger == null) {
                continue; // revoked within this poll
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (pending >= executor.queueCapacity()) {
                    consumer.seek(partition, record.offset()); // fetched again after resume
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
                consumer.seek(entry.partition(), record.offset());
                consumer.pause(List.of(entry.partition()));
                registryBackoffUntil.put(entry.partition(), now + REGISTRY_RETRY_BACKOFF.toMillis());
                return false;
            }
            DeadLetterReason reason = SerdeFailures.recordProblem(e).map(SerdeException::deadLetterReason)
                    .orElse(DeadLetterReason.MALFORMED_RECORD);
            log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), Results.describe(e));
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
        if (item.getDeadline() != null && item.getDeadline().toEpochMilli() <= now) {
            complete(entry, WorkOutcome.expired("deadline " + item.getDeadline() + " passed before the item was consumed",
                    Math.max(0, now - item.getCreatedAt().toEpochMilli())));
            return true;
        }
        submit(entry, item);
        return true;
    }

    private void submit(Entry entry, WorkItem item) {
        pending++;
        var future = executor.submit(item);
        entry.running(future);
        future.whenComplete((outcome, failure) -> completions.add(new Completion(entry, outcome, failure)));
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
        PartitionLedger ledger = ledgers.get(entry.partition());
        if (ledger == null || !ledger.tracks(entry) || entry.isDone()) {
            return; // dropped by a rebalance or an abort: someone else redoes it
        }
        pending--;
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
        entry.done(config.resultsTopic(), item.getRequestId(), result, now);
        metrics.item(taskName(item), outcome.status().name());
        if (outcome.status() == WorkStatus.OK) {
            metrics.inference(outcome.batchSize(), outcome.promptTokens(), outcome.generatedTokens(), outcome.queuedMs(), outcome.inferenceMs());
        }
    }

    private static String taskName(WorkItem item) {
        return item.getTask().getClass().getSimpleName().replace("Task", "");
    }

    // ---------------------------------------------------------------- committing

    private void commitIfDue(boolean force) {
        long now = clock.millis();
        if (!force && now - lastCommitMillis < config.commitInterval().toMillis()) {
            return;
        }
        lastCommitMillis = now;
        commit();
    }

    /** Commits every partition's completed prefix with its results in one transaction. */
    private void commit() {
        Map<TopicPartition, List<Entry>> prefixes = new HashMap<>();
        ledgers.forEach((partition, ledger) -> {
            List<Entry> prefix = ledger.completedPrefix();
            if (!prefix.isEmpty()) {
                prefixes.put(partition, prefix);
            }
        });
        if (prefixes.isEmpty()) {
            return;
        }
        List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();
        try {
            for (List<Entry> prefix : prefixes.values()) {
                for (Entry entry : prefix) {
                    byte[] key = entry.outputKey() == null ? entry.record().key() : entry.outputKey().getBytes(StandardCharsets.UTF_8);
                    outputs.add(new ProducerRecord<>(entry.outputTopic(), key, outputSerializer.serialize(entry.outputTopic(), entry.output())));
                }
            }
        } catch (RuntimeException e) {
            // The registry is down (or our own record does not encode): keep everything, try again next time.
            log.warn("cannot encode results yet, commit postponed: {}", Results.describe(e));
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        prefixes.forEach((partition, prefix) -> offsets.put(partition, new OffsetAndMetadata(prefix.getLast().offset() + 1)));
        try {
            producer.beginTransaction();
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            for (ProducerRecord<byte[], byte[]> output : outputs) {
                producer.send(output, (metadata, e) -> {
                    if (e != null) {
                        sendFailure.compareAndSet(null, e);
                    }
                });
            }
            if (abandonRequested) {
                throw new AbandonedException(); // crash simulation: die with the transaction open
            }
            // Wait for the sends: a fenced producer reports it here, and sendOffsetsToTransaction would block on it.
            producer.flush();
            if (sendFailure.get() != null) {
                throw new KafkaException("sending results failed: " + Results.describe(sendFailure.get()), sendFailure.get());
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (KafkaException e) {
            Throwable fatal = fatalCause(e);
            if (fatal != null) {
                throw new FatalWorkerException("producer fenced or unusable: " + Results.describe(fatal), fatal);
            }
            abortAndRewind(e);
            return;
        }
        long now = clock.millis();
        prefixes.forEach((partition, prefix) -> {
            ledgers.get(partition).committed(prefix);
            prefix.forEach(entry -> metrics.published(now - entry.completedAtMillis()));
        });
        metrics.transaction(true);
        log.debug("committed {} results on {} partitions", outputs.size(), offsets.size());
    }

    /** The error in the chain after which this producer can never commit again, or null. */
    private static Throwable fatalCause(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 16; depth++, current = current.getCause()) {
            if (current instanceof ProducerFencedException || current instanceof InvalidProducerEpochException
                    || current instanceof OutOfOrderSequenceException || current instanceof UnsupportedVersionException
                    || current instanceof AuthorizationException) {
                return current;
            }
        }
        return null;
    }

    /** Aborts the open transaction and restarts every tracked partition from its last committed offset. */
    private void abortAndRewind(KafkaException cause) {
        log.warn("transaction failed, aborting and rewinding: {}", Results.describe(cause));
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            throw new FatalWorkerException("abort failed: " + Results.describe(e), e);
        }
        metrics.transaction(false);
        for (Map.Entry<TopicPartition, PartitionLedger> e : ledgers.entrySet()) {
            long first = e.getValue().firstOffset();
            if (first >= 0 && assigned.contains(e.getKey())) {
                consumer.seek(e.getKey(), first);
            }
            drop(e.getValue());
        }
    }

    private void drop(PartitionLedger ledger) {
        for (Entry entry : ledger.all()) {
            if (!entry.isDone()) {
                entry.cancel();
                pending--;
            }
        }
        ledger.clear();
    }

    // ---------------------------------------------------------------- flow control

    private void applyFlowControl() {
        long now = clock.millis();
        Set<TopicPartition> backoffOver = new HashSet<>();
        registryBackoffUntil.forEach((partition, until) -> {
            if (until <= now) {
                backoffOver.add(partition);
            }
        });
        backoffOver.forEach(registryBackoffUntil::remove);

        int capacity = executor.queueCapacity();
        if (pending >= capacity) {
            if (!pausedForCapacity) {
                log.debug("executor full ({} in flight): pausing {}", pending, assigned);
            }
            pausedForCapacity = true;
            consumer.pause(consumer.assignment()); // newly assigned partitions too
        } else if (pausedForCapacity) {
            pausedForCapacity = false;
            log.debug("executor has room ({} in flight): resuming", pending);
            resumeAllowed();
        } else if (!backoffOver.isEmpty()) {
            resumeAllowed();
        }
    }

    private void resumeAllowed() {
        List<TopicPartition> resumable = consumer.assignment().stream().filter(p -> !registryBackoffUntil.containsKey(p)).toList();
        consumer.resume(resumable);
    }

    /** True while the consumer holds partitions paused for lack of executor capacity (tests, metrics). */
    boolean pausedForCapacity() {
        return pausedForCapacity;
    }

    long pending() {
        return pending;
    }

    /** Items consumed and not yet committed (read from any thread; approximate). */
    public long inFlightCount() {
        return inFlightGauge;
    }

    // ---------------------------------------------------------------- stopping

    private void gracefulStop() throws InterruptedException {
        log.info("worker {} stopping: {} items in flight, grace {}", config.instanceId(), pending, config.shutdownGrace());
        consumer.pause(consumer.assignment());
        finishInFlight(ledgers.keySet(), config.shutdownGrace());
        commitIfDue(true);
        ledgers.values().forEach(this::drop);
        ledgers.clear();
        closeClients(Duration.ofSeconds(30));
        log.info("worker {} stopped", config.instanceId());
    }

    /** Waits until the given partitions have nothing in flight or the grace period ends. */
    private void finishInFlight(Collection<TopicPartition> partitions, Duration grace) throws InterruptedException {
        long deadline = clock.millis() + grace.toMillis();
        while (pendingIn(partitions) > 0 && clock.millis() < deadline && !abandonRequested) {
            drainCompletions(Math.min(50, Math.max(1, deadline - clock.millis())));
        }
    }

    private long pendingIn(Collection<TopicPartition> partitions) {
        long count = 0;
        for (TopicPartition partition : partitions) {
            PartitionLedger ledger = ledgers.get(partition);
            if (ledger != null) {
                count += ledger.pendingCount();
            }
        }
        return count;
    }

    private void abandonNow() {
        abandoned = true;
        ledgers.values().forEach(this::drop);
        ledgers.clear();
        closeClients(Duration.ZERO);
    }

    private void closeClients(Duration timeout) {
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

    // ---------------------------------------------------------------- rebalancing

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                ledgers.computeIfAbsent(partition, p -> new PartitionLedger());
            }
            assigned.addAll(partitions);
            if (!partitions.isEmpty()) {
                log.info("worker {} assigned {}", config.instanceId(), partitions);
            }
        }

        /** Finishes what is in flight on the revoked partitions (bounded by revokeGrace), commits, forgets the rest. */
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (abandoned || abandonRequested || partitions.isEmpty()) {
                forget(partitions);
                return;
            }
            log.info("worker {} revoking {} ({} in flight there)", config.instanceId(), partitions, pendingIn(partitions));
            try {
                finishInFlight(partitions, config.revokeGrace());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commitIfDue(true);
            forget(partitions);
        }

        /** Lost (not revoked): another member may already own them, so nothing may be committed. */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("worker {} lost {}", config.instanceId(), partitions);
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionLedger ledger = ledgers.remove(partition);
                if (ledger != null) {
                    drop(ledger);
                }
                registryBackoffUntil.remove(partition);
                assigned.remove(partition);
            }
        }
    }

    /** Ends the loop without committing anything more. */
    private static final class FatalWorkerException extends RuntimeException {
        FatalWorkerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown inside a commit when a crash is being simulated. */
    private static final class AbandonedException extends RuntimeException {
        AbandonedException() {
            super("abandoned (simulated crash)");
        }
    }
}

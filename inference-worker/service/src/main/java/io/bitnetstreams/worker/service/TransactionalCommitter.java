package io.bitnetstreams.worker.service;

import io.bitnetstreams.contract.results.FinalResults;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes completed work exactly once: per partition the contiguous prefix of completed entries, their results in
 * one transaction together with the offsets just past that prefix ({@code sendOffsetsToTransaction} with the
 * consumer's group metadata, so a zombie from an older generation is fenced). A crash at any point therefore either
 * commits a prefix with its results, or neither.
 */
final class TransactionalCommitter {

    private static final Logger log = LoggerFactory.getLogger(TransactionalCommitter.class);

    /** How a commit attempt ended. */
    enum Outcome {
        /** Nothing was complete. */
        NOTHING,
        /** Results could not be encoded yet (registry down): everything kept for the next attempt. */
        POSTPONED,
        COMMITTED,
        /** The transaction failed and was aborted: the caller must rewind every tracked partition. */
        ABORTED
    }

    private final Producer<byte[], byte[]> producer;
    private final Serializer<SpecificRecord> serializer;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final BooleanSupplier crashSimulated;

    /** {@code crashSimulated}: test hook; when true the commit dies with its transaction open. */
    TransactionalCommitter(Producer<byte[], byte[]> producer, Serializer<SpecificRecord> serializer,
            WorkerMetrics metrics, Clock clock, BooleanSupplier crashSimulated) {
        this.producer = producer;
        this.serializer = serializer;
        this.metrics = metrics;
        this.clock = clock;
        this.crashSimulated = crashSimulated;
    }

    /**
     * Commits every partition's completed prefix with its results in one transaction. Entries that claim their
     * request's final result ({@link Entry#claim()}) follow the protocol of {@link FinalResults}: the work results
     * (and the final results, in the same transaction) are sent and acknowledged first; only then the clock is read,
     * and if any claim is too close to its deadline the transaction is aborted, those entries fall back to their plain
     * work result for good, and the transaction runs again (this ends: every round gives at least one claim up).
     */
    Outcome commit(InFlightWork work, ConsumerGroupMetadata group) {
        Map<TopicPartition, List<Entry>> prefixes = work.completedPrefixes();
        if (prefixes.isEmpty()) {
            return Outcome.NOTHING;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        prefixes.forEach((partition, prefix) -> offsets.put(partition, new OffsetAndMetadata(prefix.getLast().offset() + 1)));
        Batch batch;
        do {
            try {
                batch = encode(prefixes);
            } catch (RuntimeException e) {
                // The registry is down (or our own record does not encode): keep everything, try again next time.
                log.warn("cannot encode results yet, commit postponed: {}", Results.describe(e));
                return Outcome.POSTPONED;
            }
            try {
                if (transaction(batch, offsets, group)) {
                    break;
                }
            } catch (KafkaException e) {
                Throwable fatal = fatalCause(e);
                if (fatal != null) {
                    throw new FatalWorkerException(fatalMessage(e, fatal), fatal);
                }
                abort(e);
                return Outcome.ABORTED;
            }
        } while (true);
        long now = clock.millis();
        work.committed(prefixes);
        prefixes.values().forEach(prefix -> prefix.forEach(entry -> metrics.published(now - entry.completedAtMillis())));
        metrics.transaction(true);
        metrics.finalResultsPublished(batch.claimants().size());
        log.debug("committed {} results and {} final results on {} partitions", batch.outputs().size(),
                batch.finals().size(), offsets.size());
        return Outcome.COMMITTED;
    }

    /**
     * One transaction; false when it was aborted because claims came too late (those entries now publish their plain
     * work result: the caller encodes and tries again).
     */
    private boolean transaction(Batch batch, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        long begun = clock.millis();
        producer.beginTransaction();
        // the final results go with the work results: one round of acknowledgements, no more than without them; a
        // final result written here is only ever visible if this transaction commits
        send(batch.outputs(), batch.finals());
        long ackedAt = clock.millis(); // after the flush: every work result, claims included, is acknowledged
        if (!batch.claimants().isEmpty()) {
            List<Entry> late = batch.claimants().stream()
                    .filter(entry -> !FinalResults.workerMayPublish(entry.item(), ackedAt)).toList();
            if (!late.isEmpty()) {
                giveUp(late);
                return false;
            }
        }
        if (crashSimulated.getAsBoolean()) {
            throw new AbandonedException(); // crash simulation: die with the transaction open, every record sent
        }
        producer.sendOffsetsToTransaction(offsets, group);
        long offsetsAdded = clock.millis();
        producer.commitTransaction();
        if (log.isDebugEnabled()) {
            // where a result's way out goes: sent and acknowledged, offsets added, committed (EndTxn)
            long committed = clock.millis();
            log.debug("transaction of {} records committed at {}: acknowledged after {} ms, offsets {} ms, commit {} ms",
                    batch.outputs().size() + batch.finals().size(), committed, ackedAt - begun, offsetsAdded - ackedAt,
                    committed - offsetsAdded);
        }
        return true;
    }

    /** Aborts a transaction whose claims came too late: not a failure, nothing is rewound. */
    private void giveUp(List<Entry> late) {
        log.debug("{} final results too close to their deadline: left to the topology", late.size());
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            throw new FatalWorkerException("abort failed: " + Results.describe(e), e);
        }
        late.forEach(Entry::giveUpClaim);
        metrics.finalResultsGivenUp(late.size());
    }

    /** The records of one transaction: outputs (work results, claims included, dead letters), then final results. */
    private record Batch(List<ProducerRecord<byte[], byte[]>> outputs, List<ProducerRecord<byte[], byte[]>> finals,
            List<Entry> claimants) {}

    private Batch encode(Map<TopicPartition, List<Entry>> prefixes) {
        List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> finals = new ArrayList<>();
        List<Entry> claimants = new ArrayList<>();
        for (List<Entry> prefix : prefixes.values()) {
            for (Entry entry : prefix) {
                byte[] key = entry.outputKey() == null ? entry.record().key() : entry.outputKey().getBytes(StandardCharsets.UTF_8);
                outputs.add(new ProducerRecord<>(entry.outputTopic(), key, serializer.serialize(entry.outputTopic(), entry.output())));
                Entry.FinalClaim claim = entry.claim();
                if (claim != null) {
                    // same key as the work result (the request id) and the default partitioner: the partition the
                    // topology would have published to
                    finals.add(new ProducerRecord<>(claim.topic(), key, serializer.serialize(claim.topic(), claim.finalResult())));
                    claimants.add(entry);
                }
            }
        }
        return new Batch(outputs, finals, claimants);
    }

    /** Sends {@code outputs} and {@code finals} and waits for every acknowledgement. */
    private void send(List<ProducerRecord<byte[], byte[]>> outputs, List<ProducerRecord<byte[], byte[]>> finals) {
        AtomicReference<Exception> outputFailure = new AtomicReference<>();
        AtomicReference<Exception> finalFailure = new AtomicReference<>();
        outputs.forEach(record -> send(record, outputFailure));
        finals.forEach(record -> send(record, finalFailure));
        // Wait for the acknowledgements: a fenced producer reports it here, sendOffsetsToTransaction would block on
        // it, and a claim's deadline is checked only once its work result is acknowledged.
        producer.flush();
        if (outputFailure.get() != null) {
            throw new KafkaException("sending results failed: " + Results.describe(outputFailure.get()), outputFailure.get());
        }
        if (finalFailure.get() != null) {
            throw new FinalResultsFailedException(new KafkaException(Results.describe(finalFailure.get()), finalFailure.get()));
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record, AtomicReference<Exception> failure) {
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** Why the worker stops; a missing WRITE on a results topic says how to fix it. */
    static String fatalMessage(KafkaException failure, Throwable fatal) {
        if (failure instanceof FinalResultsFailedException && fatal instanceof AuthorizationException) {
            return "the worker may not publish final results: it needs WRITE on the results topics, or set "
                    + "bitnet.final.results.publish=false (the topology then publishes them): " + Results.describe(fatal);
        }
        return "producer fenced or unusable: " + Results.describe(fatal);
    }

    private void abort(KafkaException cause) {
        log.warn("transaction failed, aborting and rewinding: {}", Results.describe(cause));
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            throw new FatalWorkerException("abort failed: " + Results.describe(e), e);
        }
        metrics.transaction(false);
    }

    /** The error in the chain after which this producer can never commit again, or null. */
    static Throwable fatalCause(Throwable failure) {
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

    /** Sending the final results failed (the cause says why). */
    static final class FinalResultsFailedException extends KafkaException {
        FinalResultsFailedException(KafkaException cause) {
            super("sending final results failed: " + Results.describe(cause), cause);
        }
    }

    /** Ends the loop without committing anything more. */
    static final class FatalWorkerException extends RuntimeException {
        FatalWorkerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown inside a commit when a crash is being simulated. */
    static final class AbandonedException extends RuntimeException {
        AbandonedException() {
            super("abandoned (simulated crash)");
        }
    }
}

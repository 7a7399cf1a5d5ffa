package io.bitnetstreams.worker.service;

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

    /** Commits every partition's completed prefix with its results in one transaction. */
    Outcome commit(InFlightWork work, ConsumerGroupMetadata group) {
        Map<TopicPartition, List<Entry>> prefixes = work.completedPrefixes();
        if (prefixes.isEmpty()) {
            return Outcome.NOTHING;
        }
        List<ProducerRecord<byte[], byte[]>> outputs;
        try {
            outputs = outputs(prefixes);
        } catch (RuntimeException e) {
            // The registry is down (or our own record does not encode): keep everything, try again next time.
            log.warn("cannot encode results yet, commit postponed: {}", Results.describe(e));
            return Outcome.POSTPONED;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        prefixes.forEach((partition, prefix) -> offsets.put(partition, new OffsetAndMetadata(prefix.getLast().offset() + 1)));
        try {
            producer.beginTransaction();
            send(outputs);
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
        } catch (KafkaException e) {
            Throwable fatal = fatalCause(e);
            if (fatal != null) {
                throw new FatalWorkerException("producer fenced or unusable: " + Results.describe(fatal), fatal);
            }
            abort(e);
            return Outcome.ABORTED;
        }
        long now = clock.millis();
        work.committed(prefixes);
        prefixes.values().forEach(prefix -> prefix.forEach(entry -> metrics.published(now - entry.completedAtMillis())));
        metrics.transaction(true);
        log.debug("committed {} results on {} partitions", outputs.size(), offsets.size());
        return Outcome.COMMITTED;
    }

    private List<ProducerRecord<byte[], byte[]>> outputs(Map<TopicPartition, List<Entry>> prefixes) {
        List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();
        for (List<Entry> prefix : prefixes.values()) {
            for (Entry entry : prefix) {
                byte[] key = entry.outputKey() == null ? entry.record().key() : entry.outputKey().getBytes(StandardCharsets.UTF_8);
                outputs.add(new ProducerRecord<>(entry.outputTopic(), key, serializer.serialize(entry.outputTopic(), entry.output())));
            }
        }
        return outputs;
    }

    private void send(List<ProducerRecord<byte[], byte[]>> outputs) {
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        for (ProducerRecord<byte[], byte[]> output : outputs) {
            producer.send(output, (metadata, e) -> {
                if (e != null) {
                    sendFailure.compareAndSet(null, e);
                }
            });
        }
        if (crashSimulated.getAsBoolean()) {
            throw new AbandonedException(); // crash simulation: die with the transaction open
        }
        // Wait for the sends: a fenced producer reports it here, and sendOffsetsToTransaction would block on it.
        producer.flush();
        if (sendFailure.get() != null) {
            throw new KafkaException("sending results failed: " + Results.describe(sendFailure.get()), sendFailure.get());
        }
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

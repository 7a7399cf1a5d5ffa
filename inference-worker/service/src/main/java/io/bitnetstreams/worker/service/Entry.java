package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.WorkItem;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One consumed record on its way to a committed output. Touched only by the poll loop thread; executor
 * threads only hand outcomes back through the loop's completion queue.
 */
final class Entry {

    /**
     * The final result of a one-part request that this entry's work result claims to publish (so the topology does
     * not), with the plain work result it falls back to when the claim is given up (see {@code FinalResults}).
     */
    record FinalClaim(String topic, SpecificRecord finalResult, SpecificRecord plainOutput) {}

    private final ConsumerRecord<byte[], byte[]> record;
    private final TopicPartition partition;
    private WorkItem item;
    private CompletableFuture<?> future;
    private int attempts;
    private String outputTopic;
    private String outputKey;
    private SpecificRecord output;
    private long completedAtMillis;
    private FinalClaim claim;

    Entry(ConsumerRecord<byte[], byte[]> record) {
        this.record = record;
        this.partition = new TopicPartition(record.topic(), record.partition());
    }

    ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    TopicPartition partition() {
        return partition;
    }

    long offset() {
        return record.offset();
    }

    WorkItem item() {
        return item;
    }

    void item(WorkItem item) {
        this.item = item;
    }

    void running(CompletableFuture<?> future) {
        this.future = future;
        attempts++;
    }

    int attempts() {
        return attempts;
    }

    /** Stops queued inference of this entry (its outcome will be ignored anyway). */
    void cancel() {
        if (future != null) {
            future.cancel(false);
        }
    }

    void done(String topic, String key, SpecificRecord value, long nowMillis) {
        done(topic, key, value, nowMillis, null);
    }

    /** {@code claim}: null, or the final result {@code value} claims to publish in the same transaction. */
    void done(String topic, String key, SpecificRecord value, long nowMillis, FinalClaim claim) {
        this.outputTopic = topic;
        this.outputKey = key;
        this.output = value;
        this.completedAtMillis = nowMillis;
        this.claim = claim;
    }

    /** The final result this entry publishes with its work result, or null. */
    FinalClaim claim() {
        return claim;
    }

    /** Too close to the deadline: publish the plain work result and leave the final result to the topology, for good. */
    void giveUpClaim() {
        if (claim != null) {
            output = claim.plainOutput();
            claim = null;
        }
    }

    boolean isDone() {
        return output != null;
    }

    String outputTopic() {
        return outputTopic;
    }

    String outputKey() {
        return outputKey;
    }

    SpecificRecord output() {
        return output;
    }

    long completedAtMillis() {
        return completedAtMillis;
    }
}

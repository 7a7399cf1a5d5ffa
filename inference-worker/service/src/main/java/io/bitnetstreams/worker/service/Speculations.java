package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Inference started on work items that the {@link SpeculativeReader} saw before their transaction committed, until
 * the committed read of the same record adopts it, or it is dropped. Used by the loop thread only.
 *
 * <p>Why this is exact: a record's offset in its partition is never reused, so the committed read that returns
 * (topic, partition, offset) returns the very record that was speculated on (the bytes are compared as well). A
 * speculation that is never adopted (its record was aborted, or the partition moved to another member) is cancelled
 * and its outcome ignored: nothing is ever published from a speculation alone, only from an entry of the committed
 * read, in the transaction that commits that read's offsets.
 *
 * <p>The bound: speculations share the executor's capacity with the committed read. A new one starts only while
 * {@code pending + unadopted + 1 < capacity}, so the committed read always has room for its next record and can never
 * be blocked behind speculations; and at most {@code limit} are unadopted at once.
 */
final class Speculations {

    private record Key(TopicPartition partition, long offset) {}

    private record Speculation(byte[] key, byte[] value, CompletableFuture<WorkOutcome> future, long startedAtMillis) {}

    /** Counts what became of speculations (metrics, tests). */
    interface Listener {
        void started();

        void adopted();

        void dropped();
    }

    private final Map<Key, Speculation> running = new HashMap<>();
    /** Per partition, the highest offset the committed read has returned: nothing up to it is speculated on. */
    private final Map<TopicPartition, Long> readUpTo = new HashMap<>();
    private final int capacity;
    private final int limit;
    private final Function<WorkItem, CompletableFuture<WorkOutcome>> executor;
    private final Listener listener;

    /**
     * @param capacity the executor's capacity (shared with the committed read)
     * @param limit    most unadopted speculations at once
     * @param executor submits an item to the executor
     */
    Speculations(int capacity, int limit, Function<WorkItem, CompletableFuture<WorkOutcome>> executor, Listener listener) {
        if (capacity < 1 || limit < 1) {
            throw new IllegalArgumentException("capacity and limit must be >= 1");
        }
        this.capacity = capacity;
        this.limit = limit;
        this.executor = executor;
        this.listener = listener;
    }

    /** Speculations started and neither adopted nor dropped yet: they hold places in the executor. */
    int unadopted() {
        return running.size();
    }

    /** True while another speculation may start, given the committed read's {@code pending} items with the executor. */
    boolean hasRoom(long pending) {
        return running.size() < limit && pending + running.size() + 1 < capacity;
    }

    /** True if {@code record} (exactly this offset) has a speculation. */
    boolean has(ConsumerRecord<byte[], byte[]> record) {
        return running.containsKey(key(record));
    }

    /**
     * Starts inference on a record read before its commit, if there is room ({@code pending}: the committed read's
     * items with the executor) and it is not speculated on already; false if it was not started.
     */
    boolean start(ConsumerRecord<byte[], byte[]> record, WorkItem item, long pending, long nowMillis) {
        Key key = key(record);
        if (record.offset() <= readUpTo.getOrDefault(key.partition(), -1L) || running.containsKey(key) || !hasRoom(pending)) {
            return false;
        }
        CompletableFuture<WorkOutcome> future = executor.apply(item);
        if (future.isCompletedExceptionally()) {
            return false; // the executor refused it (full, closed): the committed read will submit it again
        }
        running.put(key, new Speculation(record.key(), record.value(), future, nowMillis));
        listener.started();
        return true;
    }

    /**
     * The committed read returned {@code record}. Speculations before it in its partition that were not adopted never
     * will be (their records were aborted): they are dropped.
     */
    void read(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        readUpTo.merge(partition, record.offset(), Math::max);
        if (!running.isEmpty()) {
            dropIf(k -> k.partition().equals(partition) && k.offset() < record.offset());
        }
    }

    /** The committed read submits {@code record}: returns its speculation's future (now the entry's), or null. */
    CompletableFuture<WorkOutcome> adopt(ConsumerRecord<byte[], byte[]> record) {
        Speculation speculation = running.remove(key(record));
        if (speculation == null) {
            return null;
        }
        if (!Arrays.equals(speculation.key(), record.key()) || !Arrays.equals(speculation.value(), record.value())) {
            speculation.future().cancel(false); // not the record it speculated on: never trusted
            listener.dropped();
            return null;
        }
        listener.adopted();
        return speculation.future();
    }

    /** The committed read does not run {@code record} (expired, dead-lettered): its speculation, if any, is dropped. */
    void discard(ConsumerRecord<byte[], byte[]> record) {
        Speculation speculation = running.remove(key(record));
        if (speculation != null) {
            drop(speculation);
        }
    }

    /** Drops speculations on partitions no longer assigned and those older than {@code oldestMillis}. */
    void retain(Set<TopicPartition> assigned, long oldestMillis) {
        readUpTo.keySet().retainAll(assigned);
        if (running.isEmpty()) {
            return;
        }
        Iterator<Map.Entry<Key, Speculation>> it = running.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Speculation> e = it.next();
            if (!assigned.contains(e.getKey().partition()) || e.getValue().startedAtMillis() < oldestMillis) {
                drop(e.getValue());
                it.remove();
            }
        }
    }

    /** Drops every speculation (stopping). */
    void dropAll() {
        running.values().forEach(this::drop);
        running.clear();
    }

    private void dropIf(java.util.function.Predicate<Key> which) {
        Iterator<Map.Entry<Key, Speculation>> it = running.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Speculation> e = it.next();
            if (which.test(e.getKey())) {
                drop(e.getValue());
                it.remove();
            }
        }
    }

    private void drop(Speculation speculation) {
        speculation.future().cancel(false);
        listener.dropped();
    }

    private static Key key(ConsumerRecord<byte[], byte[]> record) {
        return new Key(new TopicPartition(record.topic(), record.partition()), record.offset());
    }
}

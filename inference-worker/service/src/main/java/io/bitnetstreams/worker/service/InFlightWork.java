package io.bitnetstreams.worker.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything consumed and not yet committed: one {@link PartitionLedger} per assigned partition, and how many of
 * the tracked items are still with the executor. Used by the loop thread only.
 */
final class InFlightWork {

    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private long pending;

    /** Starts tracking a newly assigned partition. */
    void open(TopicPartition partition) {
        ledgers.computeIfAbsent(partition, p -> new PartitionLedger());
    }

    /** The partition's ledger, or null when it is not (or no longer) assigned. */
    PartitionLedger ledger(TopicPartition partition) {
        return ledgers.get(partition);
    }

    /** True if the entry is still tracked (not committed, not dropped by a rebalance or an abort). */
    boolean tracks(Entry entry) {
        PartitionLedger ledger = ledgers.get(entry.partition());
        return ledger != null && ledger.tracks(entry);
    }

    void submitted() {
        pending++;
    }

    void finished() {
        pending--;
    }

    /** Items with the executor. */
    long pending() {
        return pending;
    }

    /** Items with the executor from the given partitions. */
    long pendingIn(Collection<TopicPartition> partitions) {
        long count = 0;
        for (TopicPartition partition : partitions) {
            PartitionLedger ledger = ledgers.get(partition);
            if (ledger != null) {
                count += ledger.pendingCount();
            }
        }
        return count;
    }

    /** True when some partition has a completed prefix, i.e. the next commit would publish something. */
    boolean hasCompleted() {
        return ledgers.values().stream().anyMatch(PartitionLedger::hasCompletedPrefix);
    }

    /** Per partition, the completed entries a transaction may publish and commit now. */
    Map<TopicPartition, List<Entry>> completedPrefixes() {
        Map<TopicPartition, List<Entry>> prefixes = new HashMap<>();
        ledgers.forEach((partition, ledger) -> {
            List<Entry> prefix = ledger.completedPrefix();
            if (!prefix.isEmpty()) {
                prefixes.put(partition, prefix);
            }
        });
        return prefixes;
    }

    /** Forgets the prefixes a transaction just committed. */
    void committed(Map<TopicPartition, List<Entry>> prefixes) {
        prefixes.forEach((partition, prefix) -> ledgers.get(partition).committed(prefix));
    }

    /** Per tracked partition, the lowest uncommitted offset (where consumption restarts after an abort). */
    Map<TopicPartition, Long> firstOffsets() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        ledgers.forEach((partition, ledger) -> {
            long first = ledger.firstOffset();
            if (first >= 0) {
                offsets.put(partition, first);
            }
        });
        return offsets;
    }

    Set<TopicPartition> partitions() {
        return Set.copyOf(ledgers.keySet());
    }

    /** Stops tracking the partition; its unfinished items are cancelled (someone redoes them). */
    void drop(TopicPartition partition) {
        PartitionLedger ledger = ledgers.remove(partition);
        if (ledger != null) {
            cancelAll(ledger);
        }
    }

    /** Cancels every unfinished item but keeps tracking the partitions (after an abort: they are re-read). */
    void cancelAll() {
        ledgers.values().forEach(this::cancelAll);
    }

    /** Stops tracking everything. */
    void dropAll() {
        cancelAll();
        ledgers.clear();
    }

    private void cancelAll(PartitionLedger ledger) {
        for (Entry entry : ledger.all()) {
            if (!entry.isDone()) {
                entry.cancel();
                pending--;
            }
        }
        ledger.clear();
    }
}

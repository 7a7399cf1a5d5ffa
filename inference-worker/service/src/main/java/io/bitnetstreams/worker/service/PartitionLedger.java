package io.bitnetstreams.worker.service;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Records consumed from one partition and not yet committed, by offset. Offsets only ever advance past
 * a contiguous prefix of completed records, so a crash can only repeat work, never skip it; and results
 * are published only together with the offsets that cover them, so repeated work never shows twice.
 */
final class PartitionLedger {

    private final TreeMap<Long, Entry> entries = new TreeMap<>();

    void add(Entry entry) {
        entries.put(entry.offset(), entry);
    }

    /** True if this exact entry is still tracked (not committed, not dropped by a rebalance or abort). */
    boolean tracks(Entry entry) {
        return entries.get(entry.offset()) == entry;
    }

    void remove(Entry entry) {
        entries.remove(entry.offset(), entry);
    }

    /** The completed entries from the lowest tracked offset up to the first pending one. */
    List<Entry> completedPrefix() {
        List<Entry> prefix = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (!entry.isDone()) {
                break;
            }
            prefix.add(entry);
        }
        return prefix;
    }

    /** True when the lowest tracked entry is done: a commit would publish something. */
    boolean hasCompletedPrefix() {
        return !entries.isEmpty() && entries.firstEntry().getValue().isDone();
    }

    /** Removes the given prefix after its transaction committed. */
    void committed(List<Entry> prefix) {
        prefix.forEach(this::remove);
    }

    long pendingCount() {
        return entries.values().stream().filter(e -> !e.isDone()).count();
    }

    /** Lowest tracked offset, i.e. where consumption must restart after an abort; -1 when empty. */
    long firstOffset() {
        return entries.isEmpty() ? -1 : entries.firstKey();
    }

    List<Entry> all() {
        return List.copyOf(entries.values());
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void clear() {
        entries.clear();
    }
}

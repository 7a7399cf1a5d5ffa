package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {

    private final PartitionLedger ledger = new PartitionLedger();

    private Entry entry(long offset) {
        Entry entry = new Entry(new ConsumerRecord<>("t", 0, offset, null, new byte[0]));
        ledger.add(entry);
        return entry;
    }

    private static void finish(Entry entry) {
        entry.done("out", "k", new DeadLetter(), 0);
    }

    @Test
    void prefixStopsAtTheFirstPendingRecord() {
        Entry first = entry(10);
        Entry second = entry(11);
        Entry third = entry(12);
        finish(first);
        finish(third);

        assertThat(ledger.completedPrefix()).containsExactly(first);
        assertThat(ledger.pendingCount()).isEqualTo(1);

        finish(second);
        assertThat(ledger.completedPrefix()).containsExactly(first, second, third);
    }

    @Test
    void committedPrefixLeavesTheRestAndMovesTheRestartOffset() {
        Entry first = entry(5);
        Entry second = entry(6);
        finish(first);
        ledger.committed(ledger.completedPrefix());

        assertThat(ledger.firstOffset()).isEqualTo(6);
        assertThat(ledger.tracks(second)).isTrue();
        assertThat(ledger.tracks(first)).isFalse();
    }

    @Test
    void aReplacedEntryIsNoLongerTracked() {
        Entry stale = entry(7);
        ledger.clear();
        Entry fresh = entry(7);

        assertThat(ledger.tracks(stale)).isFalse();
        assertThat(ledger.tracks(fresh)).isTrue();
        assertThat(new PartitionLedger().firstOffset()).isEqualTo(-1);
    }
}

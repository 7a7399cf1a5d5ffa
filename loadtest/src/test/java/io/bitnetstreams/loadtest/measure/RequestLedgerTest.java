package io.bitnetstreams.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.TaskKind;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestLedgerTest {

    private final AtomicLong clock = new AtomicLong();
    private final RequestLedger ledger = new RequestLedger(clock::get);

    private static long ms(long millis) {
        return millis * 1_000_000;
    }

    @Test
    void latencyRunsFromTheIntendedSendTimeSoALateSenderIsNotHidden() {
        // scheduled at 0, sent 500 ms late (the generator stalled), answered at 1,200 ms
        clock.set(ms(500));
        ledger.sending("a", TaskKind.CLASSIFY, 128, 0);
        ledger.workResult("a", 20, 300);
        clock.set(ms(1_200));
        assertThat(ledger.ended("a", Outcome.DONE, 150, 1, null)).isTrue();

        RequestRecord record = ledger.records().getFirst();
        assertThat(record.endToEndMicros()).isEqualTo(1_200_000);
        assertThat(record.serviceMicros()).isEqualTo(700_000);
        assertThat(record.minusEngineMicros()).isEqualTo(900_000);
        assertThat(record.overheadMicros()).isEqualTo(880_000);
        LatencyHistograms.Summary summary = LatencyHistograms.of(ledger.records()).summary();
        assertThat(summary.endToEnd().max()).isEqualTo(1_200, org.assertj.core.data.Offset.offset(1.0));
        assertThat(summary.service().max()).isEqualTo(700, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void anEndCountsOnceAndUnknownIdsAreIgnored() {
        ledger.sending("a", TaskKind.EXTRACT, 10, 0);
        assertThatThrownBy(() -> ledger.sending("a", TaskKind.EXTRACT, 10, 0)).hasMessageContaining("twice");
        assertThat(ledger.ended("other-run-1", Outcome.DONE, 1, 1, null)).isFalse();
        assertThat(ledger.workResult("other-run-1", 1, 1)).isFalse();
        clock.set(ms(10));
        assertThat(ledger.ended("a", Outcome.DEAD_LETTER, 0, 0, "INVALID_REQUEST: no")).isTrue();
        clock.set(ms(20));
        assertThat(ledger.ended("a", Outcome.DONE, 5, 5, null)).isFalse();
        RequestRecord record = ledger.records().getFirst();
        assertThat(record.outcome()).isEqualTo(Outcome.DEAD_LETTER);
        assertThat(record.endedNanos()).isEqualTo(ms(10));
        assertThat(record.error()).isEqualTo("INVALID_REQUEST: no");
        assertThat(ledger.outstanding()).isZero();
        assertThatThrownBy(() -> ledger.ended("a", Outcome.MISSING, 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunksAddEngineTimeAndKeepTheLongestQueue() {
        ledger.sending("long", TaskKind.CLASSIFY, 3000, 0);
        ledger.workResult("long", 40, 1_000);
        ledger.workResult("long", 10, 2_000);
        clock.set(ms(5_000));
        ledger.ended("long", Outcome.PARTIAL, 1, 1, "1 of 2 chunks");
        RequestRecord record = ledger.records().getFirst();
        assertThat(record.engineMs()).isEqualTo(3_000);
        assertThat(record.queueMs()).isEqualTo(40);
    }

    @Test
    void requestsWithoutAnEndAreMissingAndSendFailuresAreNotSent() {
        ledger.sending("x", TaskKind.CLASSIFY, 1, 0);
        ledger.sending("y", TaskKind.CLASSIFY, 1, ms(1));
        ledger.sending("z", TaskKind.CLASSIFY, 1, ms(2));
        assertThat(ledger.notSent("y")).isTrue();
        assertThat(ledger.notSent("y")).isFalse();
        clock.set(ms(3));
        ledger.ended("z", Outcome.DONE, 1, 1, null);
        List<RequestRecord> records = ledger.records();
        assertThat(records).extracting(RequestRecord::id).containsExactly("x", "y", "z");
        assertThat(records).extracting(RequestRecord::outcome).containsExactly(Outcome.MISSING, Outcome.NOT_SENT, Outcome.DONE);
        assertThat(records.getFirst().endToEndMicros()).isEqualTo(-1);
        assertThat(ledger.outstanding()).isEqualTo(1);
    }

    @Test
    void percentilesComeFromEveryResultAndAreMonotone() {
        // 1,000 results with end-to-end latencies of 1..1000 ms and engine time half of that; plus a dead letter
        for (int i = 1; i <= 1_000; i++) {
            String id = "r" + i;
            clock.set(0);
            ledger.sending(id, TaskKind.CLASSIFY, 1, 0);
            ledger.workResult(id, 0, i / 2);
            clock.set(ms(i));
            ledger.ended(id, Outcome.DONE, 1, 1, null);
        }
        ledger.sending("dead", TaskKind.CLASSIFY, 1, 0);
        clock.set(ms(99_999));
        ledger.ended("dead", Outcome.DEAD_LETTER, 0, 0, "bad");

        LatencyHistograms.Summary summary = LatencyHistograms.of(ledger.records()).summary();
        Percentiles e2e = summary.endToEnd();
        assertThat(e2e.count()).isEqualTo(1_000);
        // HdrHistogram with 3 significant digits: within 0.1%
        assertThat(e2e.p50()).isCloseTo(500, org.assertj.core.data.Offset.offset(0.5));
        assertThat(e2e.p90()).isCloseTo(900, org.assertj.core.data.Offset.offset(1.0));
        assertThat(e2e.p99()).isCloseTo(990, org.assertj.core.data.Offset.offset(1.0));
        assertThat(e2e.p999()).isCloseTo(999, org.assertj.core.data.Offset.offset(1.0));
        assertThat(e2e.max()).isCloseTo(1_000, org.assertj.core.data.Offset.offset(1.0));
        assertThat(e2e.mean()).isCloseTo(500.5, org.assertj.core.data.Offset.offset(0.5));
        assertThat(summary.engine().p50()).isCloseTo(250, org.assertj.core.data.Offset.offset(0.5));
        assertThat(summary.minusEngine().max()).isCloseTo(500, org.assertj.core.data.Offset.offset(1.0));
        for (Percentiles p : List.of(e2e, summary.service(), summary.queue(), summary.engine(), summary.minusEngine(), summary.overhead())) {
            assertThat(p.monotone()).isTrue();
        }
        assertThat(new Percentiles(1, 1, 5, 4, 6, 7, 8).monotone()).isFalse();
        assertThat(Percentiles.of(new org.HdrHistogram.Histogram(3))).isEqualTo(Percentiles.EMPTY);
    }

    @Test
    void theTimeSeriesCountsSendsAndResultsPerInterval() {
        long[][] sentAndEnded = {{0, ms(500)}, {ms(100), ms(1_500)}, {ms(1_100), ms(1_900)}, {ms(2_500), -1}};
        for (int i = 0; i < sentAndEnded.length; i++) {
            clock.set(sentAndEnded[i][0]);
            ledger.sending("s" + i, TaskKind.CLASSIFY, 1, sentAndEnded[i][0]);
            if (sentAndEnded[i][1] >= 0) {
                clock.set(sentAndEnded[i][1]);
                ledger.ended("s" + i, Outcome.DONE, 10, 2, null);
            }
        }
        List<TimeSeries.Point> points = TimeSeries.of(ledger.records(), 1.0);
        assertThat(points).extracting(TimeSeries.Point::sent).containsExactly(2, 1, 1);
        assertThat(points).extracting(TimeSeries.Point::completed).containsExactly(1, 2, 0);
        assertThat(points).extracting(TimeSeries.Point::tokens).containsExactly(12L, 24L, 0L);
        assertThat(points.get(1).p99Ms()).isCloseTo(1_400, org.assertj.core.data.Offset.offset(2.0));
        assertThat(points.get(1).p50Ms()).isCloseTo(800, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void theOverheadSplitsIntoHopsByWallClock() {
        // sent at 1,000; worker done at 1,900 after 100 ms queue and 500 ms engine; final made at 2,050; read at 2,080
        RequestRecord record = new RequestRecord("h", TaskKind.CLASSIFY, 1, 0, 0, ms(1_080), Outcome.DONE, 100, 500, 1, 1, null,
                new RequestRecord.Hops(1_000, 1_900, 2_050, 2_080));
        assertThat(record.inboundMs(record.queueMs(), record.engineMs())).isEqualTo(300);
        assertThat(record.returnMs()).isEqualTo(150);
        assertThat(record.deliveryMs()).isEqualTo(30);
        LatencyHistograms.Summary summary = LatencyHistograms.of(List.of(record)).summary();
        assertThat(summary.inbound().max()).isCloseTo(300, org.assertj.core.data.Offset.offset(0.5));
        assertThat(summary.back().max()).isCloseTo(150, org.assertj.core.data.Offset.offset(0.5));
        assertThat(summary.delivery().max()).isCloseTo(30, org.assertj.core.data.Offset.offset(0.1));
        // the hops add up to the overhead
        assertThat(summary.overhead().max()).isCloseTo(480, org.assertj.core.data.Offset.offset(0.5));
        assertThat(RequestRecord.Hops.UNKNOWN.known()).isFalse();
    }

    @Test
    void theLedgerKeepsTheLatestChunkAndTheFinalRecordTimes() {
        ledger.sending("t", TaskKind.CLASSIFY, 1, 0);
        ledger.workResult("t", 0, 10, 5_000);
        ledger.workResult("t", 0, 10, 4_000);
        ledger.ended("t", Outcome.DONE, 1, 1, null, 6_000);
        RequestRecord.Hops hops = ledger.records().getFirst().hops();
        assertThat(hops.workDoneEpochMs()).isEqualTo(5_000);
        assertThat(hops.finalEpochMs()).isEqualTo(6_000);
        assertThat(hops.known()).isTrue();
    }

    @Test
    void theReturnHopSplitsAtTheWorkResultsPublication() {
        // worker done at 1,900, its result published at 1,960, final made at 2,050
        RequestRecord record = new RequestRecord("p", TaskKind.CLASSIFY, 1, 0, 0, ms(1_080), Outcome.DONE, 100, 500, 1, 1, null,
                new RequestRecord.Hops(1_000, 1_900, 1_960, 2_050, 2_080));
        assertThat(record.workerCommitMs()).isEqualTo(60);
        assertThat(record.topologyReturnMs()).isEqualTo(90);
        LatencyHistograms.Summary summary = LatencyHistograms.of(List.of(record)).summary();
        assertThat(summary.workerCommit().max()).isCloseTo(60, org.assertj.core.data.Offset.offset(0.1));
        assertThat(summary.topologyReturn().max()).isCloseTo(90, org.assertj.core.data.Offset.offset(0.1));
        assertThat(summary.workerCommit().max() + summary.topologyReturn().max()).isCloseTo(summary.back().max(),
                org.assertj.core.data.Offset.offset(0.2));
        // without the publication time the split is left out, not made up
        RequestRecord unsplit = new RequestRecord("q", TaskKind.CLASSIFY, 1, 0, 0, ms(1_080), Outcome.DONE, 100, 500, 1, 1, null,
                new RequestRecord.Hops(1_000, 1_900, 2_050, 2_080));
        assertThat(LatencyHistograms.of(List.of(unsplit)).summary().workerCommit().count()).isZero();
    }

    @Test
    void thePublicationTimeIsTheLatestChunks() {
        ledger.sending("c", TaskKind.CLASSIFY, 1, 0);
        ledger.workResult("c", 0, 10, 5_000, 5_030);
        ledger.workResult("c", 0, 10, 4_000, 5_100); // an earlier chunk published later: not the one that finished last
        RequestRecord.Hops hops = ledger.records().getFirst().hops();
        assertThat(hops.workDoneEpochMs()).isEqualTo(5_000);
        assertThat(hops.publishedEpochMs()).isEqualTo(5_030);
    }
}

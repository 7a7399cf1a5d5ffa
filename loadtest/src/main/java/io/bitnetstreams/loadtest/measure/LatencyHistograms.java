package io.bitnetstreams.loadtest.measure;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The latency histograms of a run, built from its request records. Values are microseconds with three significant
 * digits (HdrHistogram), up to a day. End to end is measured from the intended send time (open loop: corrected for
 * coordinated omission); "service" is measured from the actual send, for comparison.
 */
public final class LatencyHistograms {

    /** One day in microseconds: longer latencies are clamped (and a run that long has other problems). */
    static final long HIGHEST_MICROS = 86_400_000_000L;

    private final Histogram endToEnd = histogram();
    private final Histogram service = histogram();
    private final Histogram queue = histogram();
    private final Histogram engine = histogram();
    private final Histogram minusEngine = histogram();
    private final Histogram overhead = histogram();
    private final Histogram inbound = histogram();
    private final Histogram back = histogram();
    private final Histogram workerCommit = histogram();
    private final Histogram topologyReturn = histogram();
    private final Histogram delivery = histogram();

    private static Histogram histogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    /** Histograms over every request that ended with a result record; the split over those with worker timings. */
    public static LatencyHistograms of(List<RequestRecord> records) {
        LatencyHistograms histograms = new LatencyHistograms();
        for (RequestRecord record : records) {
            histograms.add(record);
        }
        return histograms;
    }

    void add(RequestRecord record) {
        if (!record.outcome().isResult()) {
            return;
        }
        record(endToEnd, record.endToEndMicros());
        record(service, record.serviceMicros());
        if (record.hasWorkerTimings()) {
            record(queue, record.queueMs() * 1_000);
            record(engine, record.engineMs() * 1_000);
            record(minusEngine, record.minusEngineMicros());
            record(overhead, record.overheadMicros());
            if (record.hops().known()) {
                record(inbound, record.inboundMs(record.queueMs(), record.engineMs()) * 1_000);
                record(back, record.returnMs() * 1_000);
                record(delivery, record.deliveryMs() * 1_000);
                if (record.hops().publishedKnown()) {
                    record(workerCommit, record.workerCommitMs() * 1_000);
                    record(topologyReturn, record.topologyReturnMs() * 1_000);
                }
            }
        }
    }

    private static void record(Histogram histogram, long micros) {
        histogram.recordValue(Math.max(0, Math.min(HIGHEST_MICROS, micros)));
    }

    public Histogram endToEnd() {
        return endToEnd;
    }

    public Summary summary() {
        return new Summary(Percentiles.of(endToEnd), Percentiles.of(service), Percentiles.of(queue), Percentiles.of(engine),
                Percentiles.of(minusEngine), Percentiles.of(overhead), Percentiles.of(inbound), Percentiles.of(back),
                Percentiles.of(workerCommit), Percentiles.of(topologyReturn), Percentiles.of(delivery));
    }

    /**
     * @param endToEnd    submit (intended) to final result
     * @param service     actual send to final result
     * @param queue       waiting in the worker for an engine slot
     * @param engine      time in the engine (worker's timings)
     * @param minusEngine end to end minus engine: queueing plus Kafka and pipeline overhead (the target)
     * @param overhead    end to end minus queueing and engine: Kafka hops, transactions, topology
     * @param inbound     the overhead's first part: sent to the worker's completion, minus queue and engine (topology
     *                    in, its commits, the worker's poll); wall clock, millisecond resolution
     * @param back        worker done to final result made (worker's transaction, topology's reassembly)
     * @param workerCommit   {@code back}'s first part: worker done to its result published (poll and commit cadence)
     * @param topologyReturn {@code back}'s second part: result published to final result made (transaction, topology)
     * @param delivery    final result made to read by the generator (topology's commit, the generator's fetch)
     */
    public record Summary(Percentiles endToEnd, Percentiles service, Percentiles queue, Percentiles engine,
                          Percentiles minusEngine, Percentiles overhead, Percentiles inbound, Percentiles back,
                          Percentiles workerCommit, Percentiles topologyReturn, Percentiles delivery) {
    }
}

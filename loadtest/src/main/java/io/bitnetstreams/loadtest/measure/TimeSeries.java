package io.bitnetstreams.loadtest.measure;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Per-interval throughput and latency of a run, from its request records (by the time each request ended). */
public final class TimeSeries {

    /**
     * One interval.
     *
     * @param startSeconds    start of the interval, seconds from the start of the run
     * @param sent            requests sent in it
     * @param completed       final results read in it
     * @param tokens          prompt + generated tokens of those results
     * @param p50Ms           median end-to-end latency of those results (0 when none)
     * @param p99Ms           99th percentile of the same
     */
    public record Point(double startSeconds, int sent, int completed, long tokens, double p50Ms, double p99Ms) {
    }

    private TimeSeries() {
    }

    public static List<Point> of(List<RequestRecord> records, double intervalSeconds) {
        if (!(intervalSeconds > 0)) {
            throw new IllegalArgumentException("interval must be positive");
        }
        long intervalNanos = Math.round(intervalSeconds * 1e9);
        long last = records.stream().mapToLong(r -> Math.max(r.sentNanos(), r.endedNanos())).max().orElse(0);
        int buckets = (int) (last / intervalNanos) + 1;
        int[] sent = new int[buckets];
        int[] completed = new int[buckets];
        long[] tokens = new long[buckets];
        Histogram[] latency = new Histogram[buckets];
        for (RequestRecord record : records) {
            sent[(int) (record.sentNanos() / intervalNanos)]++;
            if (record.outcome().isResult()) {
                int bucket = (int) (record.endedNanos() / intervalNanos);
                completed[bucket]++;
                tokens[bucket] += record.promptTokens() + record.generatedTokens();
                if (latency[bucket] == null) {
                    latency[bucket] = new Histogram(LatencyHistograms.HIGHEST_MICROS, 3);
                }
                latency[bucket].recordValue(Math.min(LatencyHistograms.HIGHEST_MICROS, record.endToEndMicros()));
            }
        }
        List<Point> points = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            Histogram h = latency[i];
            points.add(new Point(i * intervalSeconds, sent[i], completed[i], tokens[i],
                    h == null ? 0 : h.getValueAtPercentile(50) / 1e3, h == null ? 0 : h.getValueAtPercentile(99) / 1e3));
        }
        return points;
    }
}

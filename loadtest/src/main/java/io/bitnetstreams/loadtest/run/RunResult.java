package io.bitnetstreams.loadtest.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.measure.LatencyHistograms;
import io.bitnetstreams.loadtest.measure.ProcStats;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.measure.SystemSampler;
import io.bitnetstreams.loadtest.measure.TimeSeries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything measured in one run.
 *
 * @param label              what the run was (e.g. {@code 2 workers}, {@code rate 0.8/s})
 * @param sendSeconds        how long the generator sent
 * @param windowSeconds      first send to last answer: the denominator of the throughputs
 * @param documentsPerSecond final results per second over the window
 * @param tokensPerSecond    prompt + generated tokens of those results per second
 * @param maxSendDelayMs     the most the generator fell behind its schedule (open loop)
 * @param lagSlopePerSecond  growth of the pipeline's consumer lag over the second half of the sending time
 * @param workerStats        per worker process: mean CPU (percent of one core) and peak RSS
 * @param failureReasons     the most frequent reasons requests did not end DONE, with counts
 */
public record RunResult(String label, @JsonIgnore LoadShape load, int workers, int threadsPerWorker, Counts counts,
                        double sendSeconds, double windowSeconds, double documentsPerSecond, double tokensPerSecond,
                        LatencyHistograms.Summary latency, double maxSendDelayMs, double lagSlopePerSecond, boolean lagGrowing,
                        Map<String, ProcessStats> workerStats, Map<String, Integer> failureReasons, List<TimeSeries.Point> series, List<SystemSampler.Sample> samples,
                        @JsonIgnore List<RequestRecord> records) {

    /** Mean CPU over the run in percent of one core, and the largest resident set seen, in MB. */
    public record ProcessStats(double meanCpuPercent, double maxRssMb) {
    }

    public static RunResult of(String label, LoadShape load, int workers, int threads, double sendSeconds,
                               List<RequestRecord> records, List<SystemSampler.Sample> samples, double seriesInterval) {
        Counts counts = Counts.of(records);
        long first = records.stream().mapToLong(RequestRecord::sentNanos).min().orElse(0);
        long last = records.stream().filter(r -> r.outcome().isResult()).mapToLong(RequestRecord::endedNanos).max().orElse(first);
        double window = Math.max(1e-3, (last - first) / 1e9);
        long tokens = records.stream().filter(r -> r.outcome().isResult()).mapToLong(r -> r.promptTokens() + r.generatedTokens()).sum();
        double maxDelay = load.openLoop()
                ? records.stream().mapToLong(r -> r.sentNanos() - r.intendedNanos()).max().orElse(0) / 1e6 : 0;
        double slope = lagSlope(samples, sendSeconds);
        // lag is sampled as whole records: a slope below a fifth of a record per second (or 10% of the rate) is noise
        boolean growing = load.openLoop() && slope > Math.max(0.2, 0.1 * load.rate());
        return new RunResult(label, load, workers, threads, counts, sendSeconds, window, counts.results() / window, tokens / window,
                LatencyHistograms.of(records).summary(), maxDelay, slope, growing, processStats(samples), failureReasons(records),
                TimeSeries.of(records, seriesInterval), samples, records);
    }

    /** Why requests did not end DONE: the most frequent reasons (cut to 160 characters) with their counts. */
    static Map<String, Integer> failureReasons(List<RequestRecord> records) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (RequestRecord r : records) {
            if (r.outcome() != io.bitnetstreams.loadtest.measure.Outcome.DONE) {
                String reason = r.outcome() + (r.error() == null ? "" : ": " + r.error());
                counts.merge(reason.length() > 160 ? reason.substring(0, 160) + "..." : reason, 1, Integer::sum);
            }
        }
        Map<String, Integer> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    /** Least-squares slope (records/s) of worker + topology lag over the second half of the sending time. */
    static double lagSlope(List<SystemSampler.Sample> samples, double sendSeconds) {
        List<double[]> points = new ArrayList<>();
        for (SystemSampler.Sample s : samples) {
            if (s.seconds() >= sendSeconds / 2 && s.seconds() <= sendSeconds && s.workerLag() >= 0 && s.topologyLag() >= 0) {
                points.add(new double[] {s.seconds(), s.workerLag() + s.topologyLag()});
            }
        }
        if (points.size() < 3) {
            return 0;
        }
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - mx) * (p[1] - my);
            den += (p[0] - mx) * (p[0] - mx);
        }
        return den == 0 ? 0 : num / den;
    }

    static Map<String, ProcessStats> processStats(List<SystemSampler.Sample> samples) {
        Map<String, ProcessStats> stats = new LinkedHashMap<>();
        if (samples.isEmpty()) {
            return stats;
        }
        SystemSampler.Sample first = samples.getFirst();
        SystemSampler.Sample last = samples.getLast();
        for (String name : last.processes().keySet()) {
            ProcStats.Reading start = first.processes().get(name);
            ProcStats.Reading end = last.processes().get(name);
            double seconds = last.seconds() - first.seconds();
            double cpu = start == null || seconds <= 0 ? 0 : 100 * (end.cpuSeconds() - start.cpuSeconds()) / seconds;
            double rss = samples.stream().map(s -> s.processes().get(name)).filter(r -> r != null)
                    .mapToLong(ProcStats.Reading::rssBytes).max().orElse(0) / 1e6;
            stats.put(name, new ProcessStats(cpu, rss));
        }
        return stats;
    }

    /** True when the run holds the SLO: p99 end to end within {@code sloMs}, nothing missing, lag not growing. */
    public boolean holds(double sloMs) {
        return counts.missing() == 0 && counts.results() > 0 && latency.endToEnd().p99() <= sloMs && !lagGrowing;
    }
}

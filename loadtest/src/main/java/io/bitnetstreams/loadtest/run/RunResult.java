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
 * @param steadyDocumentsPerSecond closed loop: final results per second while the loop was full, from the first
 *                           result to the end of sending ({@link #steadyRate}); NaN for an open loop or too few results
 * @param tokensPerSecond    prompt + generated tokens of those results per second
 * @param maxSendDelayMs     the most the generator fell behind its schedule (open loop)
 * @param lagSlopePerSecond  growth of the pipeline's consumer lag over the second half of the sending time (in
 *                           offsets: under exactly-once these include transaction markers, so it drifts by itself)
 * @param backlogSlopePerSecond growth of the requests sent and not yet answered over the second half of the sending
 *                           time, from the ledger (exact): the run is over capacity ({@code lagGrowing}) when it grows
 * @param workerStats        per worker process: mean CPU (percent of one core), CPU per document and peak RSS
 * @param stackStats         the same for the rest of a stack the load test started (names start with
 *                           {@link #STACK_PREFIX}): this JVM (broker, topology, generator, result tap) and the registry
 * @param failureReasons     the most frequent reasons requests did not end DONE, with counts
 */
public record RunResult(String label, @JsonIgnore LoadShape load, int workers, int threadsPerWorker, Counts counts,
                        double sendSeconds, double windowSeconds, double documentsPerSecond,
                        double steadyDocumentsPerSecond, double tokensPerSecond,
                        LatencyHistograms.Summary latency, double maxSendDelayMs, double lagSlopePerSecond,
                        double backlogSlopePerSecond, boolean lagGrowing,
                        Map<String, ProcessStats> workerStats, Map<String, ProcessStats> stackStats,
                        Map<String, Integer> failureReasons, List<TimeSeries.Point> series, List<SystemSampler.Sample> samples,
                        @JsonIgnore List<RequestRecord> records) {

    /** Sampled processes whose name starts with this are the stack's, not workers. */
    public static final String STACK_PREFIX = "stack: ";

    /**
     * Mean CPU over the run in percent of one core, CPU milliseconds per final result (over the sampled span; 0 when
     * nothing ended), the largest resident set seen, in MB, and the mean CPU of each thread group (percent of one
     * core, busiest first; {@link #EXITED_THREADS} is what threads that ended during the run used; empty when not
     * measured).
     */
    public record ProcessStats(double meanCpuPercent, double cpuMsPerDocument, double maxRssMb,
                               Map<String, Double> threadCpuPercent) {
        public ProcessStats(double meanCpuPercent, double cpuMsPerDocument, double maxRssMb) {
            this(meanCpuPercent, cpuMsPerDocument, maxRssMb, Map.of());
        }
    }

    /** The thread group that stands for the CPU of threads that ended between the first and the last sample. */
    public static final String EXITED_THREADS = "(threads that ended)";

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
        double backlogSlope = backlogSlope(records, sendSeconds);
        // The generator's backlog, not the consumer lag, decides: lag counts offsets, and every exactly-once commit
        // adds a transaction marker no consumer reads, so lag creeps up at a rate that is not load. The backlog is
        // whole requests: a slope below a fifth of a request per second (or 10% of the rate) is noise.
        boolean growing = load.openLoop() && backlogSlope > Math.max(0.2, 0.1 * load.rate());
        return new RunResult(label, load, workers, threads, counts, sendSeconds, window, counts.results() / window,
                load.openLoop() ? Double.NaN : steadyRate(records, sendSeconds), tokens / window,
                LatencyHistograms.of(records).summary(), maxDelay, slope, backlogSlope, growing, processStats(samples, false, counts.results()),
                processStats(samples, true, counts.results()), failureReasons(records),
                TimeSeries.of(records, seriesInterval), samples, records);
    }

    /**
     * What the workers can do: for a closed loop the steady rate when there is one, else results per second over the
     * whole window. Scaling and the saturation search's capacity probe compare this.
     */
    public double capacityPerSecond() {
        return Double.isNaN(steadyDocumentsPerSecond) ? documentsPerSecond : steadyDocumentsPerSecond;
    }

    /**
     * Results per second while a closed loop was full: those read after the first result and up to the end of sending,
     * over that span. The whole window also holds the drain after sending stops, when the last requests in flight are
     * worked off and each worker falls idle as soon as its own share is done: with one worker it stays busy to the
     * end, with several the ones that drew fewer of the last requests wait for the others (a 2-worker run measured
     * here: one worker idle for the last 21 s of 143 s), so the whole-window rate understates every level with more
     * than one worker, by an amount that depends on the luck of the last draws, not on capacity. The span starts at the
     * first result because until then nothing could have ended. NaN with fewer than two results in the span.
     */
    static double steadyRate(List<RequestRecord> records, double sendSeconds) {
        long sendEnd = (long) (sendSeconds * 1e9);
        long[] ends = records.stream().filter(r -> r.outcome().isResult()).mapToLong(RequestRecord::endedNanos).sorted().toArray();
        if (ends.length == 0 || ends[0] >= sendEnd) {
            return Double.NaN;
        }
        long inSpan = java.util.Arrays.stream(ends).filter(end -> end > ends[0] && end <= sendEnd).count();
        return inSpan < 2 ? Double.NaN : inSpan / ((sendEnd - ends[0]) / 1e9);
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
        return slope(points);
    }

    /**
     * Least-squares slope (requests/s) of the backlog, requests sent and not answered, every second over the second
     * half of the sending time (requests that never ended count as unanswered).
     */
    static double backlogSlope(List<RequestRecord> records, double sendSeconds) {
        List<double[]> points = new ArrayList<>();
        for (double t = Math.ceil(sendSeconds / 2); t <= sendSeconds; t += 1) {
            long at = (long) (t * 1e9);
            long backlog = records.stream().filter(r -> r.sentNanos() <= at && (r.endedNanos() < 0 || r.endedNanos() > at)).count();
            points.add(new double[] {t, backlog});
        }
        return slope(points);
    }

    private static double slope(List<double[]> points) {
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

    static Map<String, ProcessStats> processStats(List<SystemSampler.Sample> samples, boolean stack, long documents) {
        Map<String, ProcessStats> stats = new LinkedHashMap<>();
        if (samples.isEmpty()) {
            return stats;
        }
        SystemSampler.Sample first = samples.getFirst();
        SystemSampler.Sample last = samples.getLast();
        for (String name : last.processes().keySet()) {
            if (name.startsWith(STACK_PREFIX) != stack) {
                continue;
            }
            ProcStats.Reading start = first.processes().get(name);
            ProcStats.Reading end = last.processes().get(name);
            double seconds = last.seconds() - first.seconds();
            double cpuSeconds = start == null ? 0 : end.cpuSeconds() - start.cpuSeconds();
            double cpu = seconds <= 0 ? 0 : 100 * cpuSeconds / seconds;
            double rss = samples.stream().map(s -> s.processes().get(name)).filter(r -> r != null)
                    .mapToLong(ProcStats.Reading::rssBytes).max().orElse(0) / 1e6;
            stats.put(name, new ProcessStats(cpu, documents == 0 ? 0 : 1000 * cpuSeconds / documents, rss,
                    threadCpuPercent(samples, name, cpuSeconds)));
        }
        return stats;
    }

    /**
     * Per thread group of the process: percent of one core between the first and the last sample that carry thread
     * groups, busiest first; what the process used beyond its live threads' sum goes to {@link #EXITED_THREADS}.
     */
    static Map<String, Double> threadCpuPercent(List<SystemSampler.Sample> samples, String process, double processCpuSeconds) {
        List<SystemSampler.Sample> withThreads = samples.stream()
                .filter(s -> s.threads() != null && s.threads().containsKey(process)).toList();
        if (withThreads.size() < 2) {
            return Map.of();
        }
        SystemSampler.Sample first = withThreads.getFirst();
        SystemSampler.Sample last = withThreads.getLast();
        double seconds = last.seconds() - first.seconds();
        if (seconds <= 0) {
            return Map.of();
        }
        Map<String, Double> start = first.threads().get(process);
        Map<String, Double> used = new java.util.HashMap<>();
        last.threads().get(process).forEach((group, cpu) -> used.put(group, Math.max(0, cpu - start.getOrDefault(group, 0.0))));
        double live = used.values().stream().mapToDouble(Double::doubleValue).sum();
        double spanCpu = processCpu(first, process, last);
        if (spanCpu - live > 0.005 * seconds) {
            used.put(EXITED_THREADS, spanCpu - live);
        }
        Map<String, Double> percent = new LinkedHashMap<>();
        used.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> percent.put(e.getKey(), 100 * e.getValue() / seconds));
        return percent;
    }

    private static double processCpu(SystemSampler.Sample first, String process, SystemSampler.Sample last) {
        ProcStats.Reading start = first.processes().get(process);
        ProcStats.Reading end = last.processes().get(process);
        return start == null || end == null ? 0 : end.cpuSeconds() - start.cpuSeconds();
    }

    /** True when the run holds the SLO: p99 end to end within {@code sloMs}, nothing missing, lag not growing. */
    public boolean holds(double sloMs) {
        return counts.missing() == 0 && counts.results() > 0 && latency.endToEnd().p99() <= sloMs && !lagGrowing;
    }
}

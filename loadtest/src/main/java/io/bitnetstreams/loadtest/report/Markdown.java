package io.bitnetstreams.loadtest.report;

import io.bitnetstreams.loadtest.measure.LatencyHistograms;
import io.bitnetstreams.loadtest.run.LoadStudy;
import io.bitnetstreams.loadtest.run.RunResult;
import io.bitnetstreams.loadtest.run.Scaling;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown report and the one-screen summary printed at the end of a run. */
public final class Markdown {

    private Markdown() {
    }

    public static String render(ReportContext context, List<LoadStudy.Level> levels, Scaling scaling, List<String> charts) {
        StringBuilder md = new StringBuilder("# Load test report\n\n");
        md.append("Command: `").append(context.command()).append("`\n\n");
        md.append(String.format(Locale.ROOT, "- started %s, finished %s%n- machine: %d cores; load average (1/5/15 min) %s before,"
                        + " %s after%n- model: %s (%.2f GB)%n- workload: %s%n- inference threads per worker: %d%n",
                context.started(), context.finished(), context.cores(), context.loadAverageBefore(), context.loadAverageAfter(),
                context.model(), context.modelBytes() / 1e9, context.workload(), context.threadsPerWorker()));
        md.append("\n");
        context.notes().forEach(note -> md.append("> ").append(note).append("\n>\n"));
        md.append("\n## Runs\n\n");
        md.append(runTable(ReportWriter.allRuns(levels)));
        md.append("\nLatency columns are p50 / p90 / p99 / p99.9 / max in milliseconds. End to end runs from the intended send"
                + " time (open loop: corrected for coordinated omission) to the moment the final result was read. Engine is the"
                + " worker's inference time, queue the worker's wait for an engine slot (both from the work results);"
                + " e2e - engine is everything else (queueing, Kafka hops, transactions, topology), and overhead is e2e minus"
                + " queue and engine.\n\n");
        md.append("## Latency breakdown\n\n");
        for (RunResult run : ReportWriter.allRuns(levels)) {
            md.append("### ").append(run.label()).append("\n\n").append(breakdown(run.latency())).append("\n");
            if (!run.failureReasons().isEmpty()) {
                md.append("| not done | requests |\n|---|---|\n");
                run.failureReasons().forEach((reason, n) -> md.append("| ").append(reason.replace("|", "\\|")).append(" | ")
                        .append(n).append(" |\n"));
                md.append("\n");
            }
            if (!run.workerStats().isEmpty() || !run.stackStats().isEmpty()) {
                md.append("| process | mean CPU (% of a core) | CPU ms per document | peak RSS (MB) |\n|---|---|---|---|\n");
                java.util.Map<String, RunResult.ProcessStats> all = new java.util.LinkedHashMap<>(run.workerStats());
                all.putAll(run.stackStats());
                all.forEach((name, stats) -> md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.0f |%n",
                        name, stats.meanCpuPercent(), stats.cpuMsPerDocument(), stats.maxRssMb())));
                md.append("\n");
                if (all.values().stream().anyMatch(stats -> !stats.threadCpuPercent().isEmpty())) {
                    md.append("| process | CPU by thread group (% of a core; names as the kernel keeps them) |\n|---|---|\n");
                    all.forEach((name, stats) -> md.append("| ").append(name).append(" | ")
                            .append(threadGroups(stats.threadCpuPercent())).append(" |\n"));
                    md.append("\n");
                }
            }
        }
        if (scaling.points().size() > 1) {
            md.append("## Scaling\n\n").append(scalingTable(scaling)).append("\n");
            md.append("For a closed loop, docs/s here is the rate while the loop was full: results read from the first result to"
                    + " the end of sending, over that span. The drain after sending stops is left out: there each worker falls"
                    + " idle once its own share of the last requests is done, which costs a level with more workers more, by"
                    + " luck of the draw. The runs table above has both rates.\n\n");
            if (!scaling.meaningful()) {
                md.append("Not every level saturated its workers (an open-loop rate below capacity): there the throughput is the"
                        + " offered rate and the efficiency says nothing about scaling. Use a closed loop (`--in-flight`) or a"
                        + " rate above capacity.\n\n");
            }
        }
        for (LoadStudy.Level level : levels) {
            if (level.saturation() != null) {
                LoadStudy.Saturation s = level.saturation();
                md.append(String.format(Locale.ROOT, "## Saturation, %d worker(s)%n%nCapacity probe (%s): %.3f documents/s. Highest"
                                + " open-loop rate with p99 <= %.0f ms and consumer lag not growing: **%s**.%n%n",
                        level.workers(), s.probe().load().describe(), s.probe().documentsPerSecond(), s.sloP99Ms(),
                        s.rate() > 0 ? String.format(Locale.ROOT, "%.3f requests/s", s.rate()) : "none of the rates tried"));
                md.append("| rate (req/s) | p99 (ms) | backlog slope (requests/s) | lag slope (offsets/s) | holds |\n|---|---|---|---|---|\n");
                for (RunResult step : s.steps()) {
                    md.append(String.format(Locale.ROOT, "| %.3f | %s | %.3f | %.3f | %s |%n", step.load().rate(),
                            ReportWriter.ms(step.latency().endToEnd().p99()), step.backlogSlopePerSecond(), step.lagSlopePerSecond(),
                            step.holds(s.sloP99Ms()) ? "yes" : "no"));
                }
                md.append("\n");
            }
        }
        md.append("## Charts\n\n");
        for (String chart : charts) {
            md.append("![").append(chart).append("](").append(chart).append(")\n\n");
        }
        return md.toString();
    }

    static String runTable(List<RunResult> runs) {
        StringBuilder md = new StringBuilder("| run | load | sent | results | dead letters | failed | missing | docs/s | docs/s while"
                + " the loop was full | tokens/s | end to end (ms) | e2e - engine (ms) | max send delay (ms) | lag growing |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RunResult run : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %.3f | %s | %.1f | %s | %s | %.1f | %s |%n",
                    run.label(), run.load().describe(), run.counts().sent(), run.counts().results(), run.counts().deadLetters(),
                    run.counts().failed() + run.counts().partial(), run.counts().missing(), run.documentsPerSecond(),
                    Double.isNaN(run.steadyDocumentsPerSecond()) ? "-" : String.format(Locale.ROOT, "%.3f", run.steadyDocumentsPerSecond()),
                    run.tokensPerSecond(), ReportWriter.percentiles(run.latency().endToEnd()),
                    ReportWriter.percentiles(run.latency().minusEngine()), run.maxSendDelayMs(), run.lagGrowing() ? "yes" : "no"));
        }
        return md.toString();
    }

    static String breakdown(LatencyHistograms.Summary latency) {
        StringBuilder md = new StringBuilder("| measure | count | mean | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|---|---|\n");
        Map<String, io.bitnetstreams.loadtest.measure.Percentiles> rows = new java.util.LinkedHashMap<>();
        rows.put("end to end (from intended send)", latency.endToEnd());
        rows.put("service (from actual send)", latency.service());
        rows.put("queue (worker)", latency.queue());
        rows.put("engine (worker)", latency.engine());
        rows.put("e2e - engine", latency.minusEngine());
        rows.put("overhead (e2e - queue - engine)", latency.overhead());
        rows.put("  of which: sent -> worker done - queue - engine", latency.inbound());
        rows.put("  of which: worker done -> final result made", latency.back());
        rows.put("    worker done -> work result published (worker poll/commit)", latency.workerCommit());
        rows.put("    work result published -> final result made (topology)", latency.topologyReturn());
        rows.put("  of which: final result made -> read", latency.delivery());
        rows.forEach((name, p) -> md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n", name, p.count(),
                ReportWriter.ms(p.mean()), ReportWriter.ms(p.p50()), ReportWriter.ms(p.p90()), ReportWriter.ms(p.p99()),
                ReportWriter.ms(p.p999()), ReportWriter.ms(p.max()))));
        return md.toString();
    }

    /** The busiest thread groups (at least 0.5% of a core each, at most eight), the rest summed as "other". */
    static String threadGroups(java.util.Map<String, Double> percent) {
        if (percent.isEmpty()) {
            return "-";
        }
        StringBuilder line = new StringBuilder();
        double other = 0;
        int shown = 0;
        for (var group : percent.entrySet()) {
            if (shown < 8 && group.getValue() >= 0.5) {
                line.append(shown++ == 0 ? "" : ", ").append(group.getKey().replace("|", "\\|"))
                        .append(String.format(Locale.ROOT, " %.1f", group.getValue()));
            } else {
                other += group.getValue();
            }
        }
        if (other >= 0.05) {
            line.append(shown == 0 ? "" : ", ").append(String.format(Locale.ROOT, "other %.1f", other));
        }
        return line.toString();
    }

    static String scalingTable(Scaling scaling) {
        StringBuilder md = new StringBuilder("| worker processes | docs/s | docs/s per worker | efficiency vs 1 worker | saturated |"
                + " saturation rate (req/s) |\n|---|---|---|---|---|---|\n");
        for (Scaling.Point p : scaling.points()) {
            md.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %s | %s | %s |%n", p.workers(), p.throughput(), p.perWorker(),
                    Double.isNaN(p.efficiency()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * p.efficiency()),
                    p.saturated() ? "yes" : "no", Double.isNaN(p.saturationRate()) ? "-" : String.format(Locale.ROOT, "%.3f", p.saturationRate())));
        }
        return md.toString();
    }

    /** The one-screen summary for stdout. */
    public static String summary(ReportContext context, List<LoadStudy.Level> levels, java.nio.file.Path reportFile) {
        StringBuilder out = new StringBuilder();
        Scaling scaling = Scaling.of(levels);
        for (LoadStudy.Level level : levels) {
            for (RunResult run : level.halfSaturation() == null ? List.of(level.main()) : List.of(level.main(), level.halfSaturation())) {
                out.append(String.format(Locale.ROOT, "%s: %s%n", run.label(), run.load().describe()));
                out.append(String.format(Locale.ROOT, "  sent %d: %d results (%d failed/partial), %d dead letters, %d missing%n",
                        run.counts().sent(), run.counts().results(), run.counts().failed() + run.counts().partial(),
                        run.counts().deadLetters(), run.counts().missing()));
                run.failureReasons().entrySet().stream().limit(3).forEach(e -> out.append(
                        String.format(Locale.ROOT, "  %d x %s%n", e.getValue(), e.getKey())));
                out.append(String.format(Locale.ROOT, "  throughput %.3f documents/s, %.1f tokens/s over %.1f s%s%n",
                        run.documentsPerSecond(), run.tokensPerSecond(), run.windowSeconds(),
                        Double.isNaN(run.steadyDocumentsPerSecond()) ? ""
                                : String.format(Locale.ROOT, "; %.3f documents/s while the loop was full", run.steadyDocumentsPerSecond())));
                out.append(String.format(Locale.ROOT, "  latency ms p50/p90/p99/p99.9/max: end to end %s%n", ReportWriter.percentiles(run.latency().endToEnd())));
                out.append(String.format(Locale.ROOT, "                                     engine     %s%n", ReportWriter.percentiles(run.latency().engine())));
                out.append(String.format(Locale.ROOT, "                                     e2e-engine %s%n", ReportWriter.percentiles(run.latency().minusEngine())));
                if (run.load().openLoop()) {
                    out.append(String.format(Locale.ROOT, "  backlog slope %.3f requests/s (%s); consumer lag slope %.3f offsets/s%n",
                            run.backlogSlopePerSecond(), run.lagGrowing() ? "growing: the rate is above capacity" : "not growing",
                            run.lagSlopePerSecond()));
                }
            }
            if (level.saturation() != null) {
                out.append(String.format(Locale.ROOT, "  saturation (p99 <= %.0f ms, lag not growing): %s%n", level.saturation().sloP99Ms(),
                        level.saturation().rate() > 0 ? String.format(Locale.ROOT, "%.3f requests/s", level.saturation().rate()) : "not found"));
            }
        }
        if (scaling.points().size() > 1) {
            out.append("scaling:\n");
            for (Scaling.Point p : scaling.points()) {
                out.append(String.format(Locale.ROOT, "  %d worker(s): %.3f documents/s, %.3f per worker, efficiency %s%s%n", p.workers(),
                        p.throughput(), p.perWorker(), Double.isNaN(p.efficiency()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * p.efficiency()),
                        p.saturated() ? "" : " (not saturated)"));
            }
        }
        out.append(String.format(Locale.ROOT, "load average %s before, %s after; report: %s%n", context.loadAverageBefore(),
                context.loadAverageAfter(), reportFile));
        return out.toString();
    }
}

package io.bitnetstreams.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.loadtest.measure.Percentiles;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.run.LoadStudy;
import io.bitnetstreams.loadtest.run.RunResult;
import io.bitnetstreams.loadtest.run.Scaling;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a report directory: {@code report.json} (every number), {@code report.md} (tables and the charts),
 * {@code charts/*.png}, and {@code requests/*.csv} (one line per request of each run).
 */
public final class ReportWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** Writes everything and returns the Markdown file. */
    public static Path write(Path dir, ReportContext context, List<LoadStudy.Level> levels) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        Files.createDirectories(dir.resolve("requests"));
        Scaling scaling = Scaling.of(levels);
        List<String> charts = charts(dir, levels, scaling);
        for (RunResult run : allRuns(levels)) {
            writeCsv(dir.resolve("requests").resolve(slug(run.label()) + ".csv"), run.records());
        }
        Files.writeString(dir.resolve("report.json"), MAPPER.writeValueAsString(json(context, levels, scaling)));
        Path markdown = dir.resolve("report.md");
        Files.writeString(markdown, Markdown.render(context, levels, scaling, charts));
        return markdown;
    }

    static List<RunResult> allRuns(List<LoadStudy.Level> levels) {
        List<RunResult> runs = new ArrayList<>();
        for (LoadStudy.Level level : levels) {
            runs.add(level.main());
            if (level.saturation() != null) {
                if (level.saturation().probe() != level.main()) {
                    runs.add(level.saturation().probe());
                }
                runs.addAll(level.saturation().steps());
            }
            if (level.halfSaturation() != null) {
                runs.add(level.halfSaturation());
            }
        }
        return runs;
    }

    /** Draws the charts; returns their paths relative to the report directory. */
    static List<String> charts(Path dir, List<LoadStudy.Level> levels, Scaling scaling) throws IOException {
        List<String> files = new ArrayList<>();
        List<RunResult> featured = new ArrayList<>();
        for (LoadStudy.Level level : levels) {
            featured.add(level.main());
            if (level.halfSaturation() != null) {
                featured.add(level.halfSaturation());
            }
        }
        for (RunResult run : featured) {
            String slug = slug(run.label());
            files.add(chart(dir, slug + "-latency.png", f -> Charts.latencyOverTime(run, f)));
            files.add(chart(dir, slug + "-throughput.png", f -> Charts.throughputOverTime(run, f)));
            files.add(chart(dir, slug + "-lag.png", f -> Charts.lagOverTime(run, f)));
            if (!run.workerStats().isEmpty()) {
                Path cpu = dir.resolve("charts").resolve(slug + "-cpu.png");
                Path rss = dir.resolve("charts").resolve(slug + "-rss.png");
                Charts.workerResources(run, cpu, rss);
                files.add("charts/" + cpu.getFileName());
                files.add("charts/" + rss.getFileName());
            }
        }
        files.add(chart(dir, "latency-cdf.png", f -> Charts.latencyCdf(featured, f)));
        if (scaling.points().size() > 1) {
            files.add(chart(dir, "scaling.png", f -> Charts.scaling(scaling, f)));
        }
        for (LoadStudy.Level level : levels) {
            if (level.saturation() != null && !level.saturation().steps().isEmpty()) {
                files.add(chart(dir, "saturation-" + level.workers() + "w.png", f -> Charts.saturation(level.saturation(), f)));
            }
        }
        return files;
    }

    private interface ChartJob {
        void draw(Path file) throws IOException;
    }

    private static String chart(Path dir, String name, ChartJob job) throws IOException {
        job.draw(dir.resolve("charts").resolve(name));
        return "charts/" + name;
    }

    static String slug(String label) {
        return label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static ObjectNode json(ReportContext context, List<LoadStudy.Level> levels, Scaling scaling) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("context", MAPPER.valueToTree(context));
        ArrayNode levelNodes = root.putArray("levels");
        for (LoadStudy.Level level : levels) {
            ObjectNode node = levelNodes.addObject().put("workers", level.workers());
            node.set("main", run(level.main()));
            if (level.saturation() != null) {
                ObjectNode saturation = node.putObject("saturation").put("slo_p99_ms", level.saturation().sloP99Ms())
                        .put("rate", level.saturation().rate());
                saturation.set("probe", run(level.saturation().probe()));
                ArrayNode steps = saturation.putArray("steps");
                level.saturation().steps().forEach(step -> steps.add(run(step)));
            }
            if (level.halfSaturation() != null) {
                node.set("half_saturation", run(level.halfSaturation()));
            }
        }
        root.set("scaling", MAPPER.valueToTree(scaling));
        return root;
    }

    static ObjectNode run(RunResult run) {
        ObjectNode node = MAPPER.valueToTree(run);
        ObjectNode load = MAPPER.createObjectNode().put("description", run.load().describe()).put("open_loop", run.load().openLoop())
                .put("shape", run.load().shape().name()).put("rate", run.load().rate()).put("in_flight", run.load().inFlight())
                .put("count", run.load().count());
        if (run.load().duration() != null) {
            load.put("duration_seconds", run.load().duration().toMillis() / 1e3);
        }
        node.set("load", load);
        node.put("requests_csv", "requests/" + slug(run.label()) + ".csv");
        return node;
    }

    static void writeCsv(Path file, List<RequestRecord> records) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,task,text_tokens,intended_ms,sent_ms,ended_ms,outcome,end_to_end_ms,queue_ms,engine_ms,prompt_tokens,generated_tokens,"
                    + "sent_epoch_ms,work_done_epoch_ms,published_epoch_ms,final_epoch_ms,read_epoch_ms,error\n");
            for (RequestRecord r : records) {
                out.write(String.format(Locale.ROOT, "%s,%s,%d,%.3f,%.3f,%.3f,%s,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s%n", r.id(), r.task().wireName(),
                        r.textTokens(), r.intendedNanos() / 1e6, r.sentNanos() / 1e6, r.endedNanos() / 1e6, r.outcome(),
                        r.endToEndMicros() / 1e3, r.queueMs(), r.engineMs(), r.promptTokens(), r.generatedTokens(),
                        r.hops().sentEpochMs(), r.hops().workDoneEpochMs(), r.hops().publishedEpochMs(), r.hops().finalEpochMs(),
                        r.hops().readEpochMs(), csv(r.error())));
            }
        }
    }

    private static String csv(String text) {
        return text == null ? "" : "\"" + text.replace("\"", "\"\"").replace('\n', ' ') + "\"";
    }

    /** One line of percentiles for tables: {@code p50 / p90 / p99 / p99.9 / max}. */
    static String percentiles(Percentiles p) {
        return String.format(Locale.ROOT, "%s / %s / %s / %s / %s", ms(p.p50()), ms(p.p90()), ms(p.p99()), ms(p.p999()), ms(p.max()));
    }

    static String ms(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}

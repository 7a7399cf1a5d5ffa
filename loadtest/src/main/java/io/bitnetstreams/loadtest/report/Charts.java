package io.bitnetstreams.loadtest.report;

import io.bitnetstreams.loadtest.measure.ProcStats;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.measure.SystemSampler;
import io.bitnetstreams.loadtest.measure.TimeSeries;
import io.bitnetstreams.loadtest.run.LoadStudy;
import io.bitnetstreams.loadtest.run.RunResult;
import io.bitnetstreams.loadtest.run.Scaling;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The PNG charts of a report, drawn with JFreeChart (headless). */
public final class Charts {

    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** p50 and p99 end to end per interval, by the time requests ended. */
    public static void latencyOverTime(RunResult run, Path file) throws IOException {
        XYSeries p50 = new XYSeries("p50");
        XYSeries p99 = new XYSeries("p99");
        for (TimeSeries.Point point : run.series()) {
            if (point.completed() > 0) {
                p50.add(point.startSeconds(), point.p50Ms());
                p99.add(point.startSeconds(), point.p99Ms());
            }
        }
        XYSeries each = new XYSeries("each request (by end time)");
        for (RequestRecord record : run.records()) {
            if (record.outcome().isResult()) {
                each.add(record.endedNanos() / 1e9, record.endToEndMicros() / 1e3);
            }
        }
        JFreeChart chart = lines("Latency over time: " + run.label(), "seconds since start", "end-to-end latency (ms)", p50, p99, each);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        renderer.setSeriesLinesVisible(2, false);
        renderer.setSeriesShapesVisible(2, true);
        renderer.setSeriesShape(2, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        save(chart, file);
    }

    /** Requests sent and results received per second, and tokens per second. */
    public static void throughputOverTime(RunResult run, Path file) throws IOException {
        XYSeries sent = new XYSeries("sent / s");
        XYSeries done = new XYSeries("results / s");
        double interval = run.series().size() > 1 ? run.series().get(1).startSeconds() - run.series().get(0).startSeconds() : 1;
        for (TimeSeries.Point point : run.series()) {
            sent.add(point.startSeconds(), point.sent() / interval);
            done.add(point.startSeconds(), point.completed() / interval);
        }
        save(lines("Throughput over time: " + run.label(), "seconds since start", "documents per second", sent, done), file);
    }

    /** The cumulative distribution of end-to-end latency of several runs, latency on a log axis. */
    public static void latencyCdf(List<RunResult> runs, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (RunResult run : runs) {
            XYSeries series = new XYSeries(run.label());
            List<Long> latencies = run.records().stream().filter(r -> r.outcome().isResult())
                    .map(RequestRecord::endToEndMicros).sorted().toList();
            for (int i = 0; i < latencies.size(); i++) {
                series.add(Math.max(0.1, latencies.get(i) / 1e3), (i + 1.0) / latencies.size());
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Latency CDF (end to end)", "latency (ms, log scale)",
                "fraction of requests", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis axis = new LogAxis("latency (ms, log scale)");
        plot.setDomainAxis(axis);
        style(chart);
        save(chart, file);
    }

    /** Consumer lag of the workers and of the topology. */
    public static void lagOverTime(RunResult run, Path file) throws IOException {
        XYSeries work = new XYSeries("worker lag (work items)");
        XYSeries topology = new XYSeries("topology lag (requests + work results)");
        for (SystemSampler.Sample sample : run.samples()) {
            if (sample.workerLag() >= 0) {
                work.add(sample.seconds(), sample.workerLag());
            }
            if (sample.topologyLag() >= 0) {
                topology.add(sample.seconds(), sample.topologyLag());
            }
        }
        save(lines("Consumer lag: " + run.label(), "seconds since start", "records", work, topology), file);
    }

    /** CPU (percent of one core, between samples) and RSS of each worker process and of the stack started here. */
    public static void workerResources(RunResult run, Path cpuFile, Path rssFile) throws IOException {
        XYSeriesCollection cpu = new XYSeriesCollection();
        XYSeriesCollection rss = new XYSeriesCollection();
        List<SystemSampler.Sample> samples = run.samples();
        if (samples.isEmpty()) {
            return;
        }
        for (String name : samples.getLast().processes().keySet()) {
            XYSeries c = new XYSeries(name);
            XYSeries r = new XYSeries(name);
            SystemSampler.Sample previous = null;
            for (SystemSampler.Sample sample : samples) {
                ProcStats.Reading reading = sample.processes().get(name);
                if (reading == null) {
                    continue;
                }
                r.add(sample.seconds(), reading.rssBytes() / 1e6);
                ProcStats.Reading before = previous == null ? null : previous.processes().get(name);
                if (before != null && sample.seconds() > previous.seconds()) {
                    c.add(sample.seconds(), 100 * (reading.cpuSeconds() - before.cpuSeconds()) / (sample.seconds() - previous.seconds()));
                }
                previous = sample;
            }
            cpu.addSeries(c);
            rss.addSeries(r);
        }
        save(chart("CPU by process: " + run.label(), "seconds since start", "CPU (% of one core)", cpu), cpuFile);
        save(chart("Memory by process: " + run.label(), "seconds since start", "resident set (MB)", rss), rssFile);
    }

    /** Throughput against worker processes, with the linear ideal from one worker. */
    public static void scaling(Scaling scaling, Path file) throws IOException {
        XYSeries measured = new XYSeries("measured");
        XYSeries ideal = new XYSeries("linear from 1 worker");
        for (Scaling.Point point : scaling.points()) {
            measured.add(point.workers(), point.throughput());
            if (!Double.isNaN(point.efficiency())) {
                ideal.add(point.workers(), point.throughput() / point.efficiency());
            }
        }
        JFreeChart chart = lines("Scaling: throughput by worker processes", "worker processes", "documents per second", measured, ideal);
        ((XYLineAndShapeRenderer) chart.getXYPlot().getRenderer()).setDefaultShapesVisible(true);
        save(chart, file);
    }

    /** The saturation search: p99 of each step against its rate, with the SLO. */
    public static void saturation(LoadStudy.Saturation saturation, Path file) throws IOException {
        XYSeries p99 = new XYSeries("p99 end to end", true);
        XYSeries slo = new XYSeries("SLO", true);
        for (RunResult step : saturation.steps()) {
            p99.add(step.load().rate(), step.latency().endToEnd().p99());
            slo.add(step.load().rate(), saturation.sloP99Ms());
        }
        JFreeChart chart = lines("Saturation search", "offered rate (requests/s)", "p99 latency (ms)", p99, slo);
        ((XYLineAndShapeRenderer) chart.getXYPlot().getRenderer()).setDefaultShapesVisible(true);
        save(chart, file);
    }

    private static JFreeChart lines(String title, String x, String y, XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        return chart(title, x, y, data);
    }

    private static JFreeChart chart(String title, String x, String y, XYSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, x, y, data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        return chart;
    }

    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}

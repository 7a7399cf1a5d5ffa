package io.bitnetstreams.loadtest.run;

import io.bitnetstreams.loadtest.arrival.ArrivalSchedule;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.cluster.LoadCluster;
import io.bitnetstreams.loadtest.cluster.WorkerProcesses;
import io.bitnetstreams.loadtest.workload.TokenCounter;
import io.bitnetstreams.loadtest.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The whole load test: for each worker count (one, or the {@code --scale} list) start that many worker processes,
 * warm them up, run the load; optionally search the saturation rate and run at half of it; stop the workers.
 */
public final class LoadStudy {

    /**
     * @param workerCounts      worker processes per level ({@code [0]}: use the cluster's own workers)
     * @param findSaturation    search the highest open-loop rate that holds the SLO at each level
     * @param sloP99Ms          the latency SLO of the search: p99 end to end at most this
     * @param searchSteps       open-loop runs of the search (after the closed-loop capacity probe)
     * @param probeInFlight     requests in flight per worker in the capacity probe
     * @param warmupRequests    requests per worker sent and awaited before measuring (not recorded)
     * @param halfDuration      how long the run at half the saturation rate sends (null: as the main load)
     * @param halfArrivals      its arrivals: Poisson (queueing included) or constant (the pipeline's overhead alone)
     */
    public record Settings(List<Integer> workerCounts, int threads, int batch, LoadShape load, Workload workload,
                           boolean findSaturation, double sloP99Ms, int searchSteps, int probeInFlight, int warmupRequests,
                           Duration drainTimeout, Duration workerStartup, Path logDir, Map<String, String> workerSettings,
                           List<String> workerJvmOptions, Duration progressInterval, double seriesInterval,
                           Duration halfDuration, ArrivalSchedule.Shape halfArrivals) {
    }

    /** The runs of one worker count. */
    public record Level(int workers, RunResult main, Saturation saturation, RunResult halfSaturation) {
    }

    /** The search: the capacity probe, each open-loop step, and the highest rate that held (0: none did). */
    public record Saturation(double sloP99Ms, RunResult probe, List<RunResult> steps, double rate) {
    }

    private final LoadCluster cluster;
    private final TokenCounter tokens;
    private final PrintStream progress;
    private final String tag = "lt" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private volatile LoadRun current;
    private volatile boolean aborted;
    private int runs;

    public LoadStudy(LoadCluster cluster, TokenCounter tokens, PrintStream progress) {
        this.cluster = cluster;
        this.tokens = tokens;
        this.progress = progress;
    }

    /** Ctrl-C: the current run stops; no further runs start. */
    public void abort() {
        aborted = true;
        LoadRun run = current;
        if (run != null) {
            run.abort();
        }
    }

    public List<Level> run(Settings settings) throws IOException {
        List<Level> levels = new ArrayList<>();
        for (int workers : settings.workerCounts()) {
            if (aborted) {
                break;
            }
            levels.add(level(settings, workers));
        }
        return levels;
    }

    private Level level(Settings settings, int workers) throws IOException {
        WorkerProcesses processes = null;
        try {
            if (workers > 0) {
                progress.printf("starting %d worker process%s (%d inference thread%s each)...%n", workers, workers == 1 ? "" : "es",
                        settings.threads(), settings.threads() == 1 ? "" : "s");
                processes = cluster.startWorkers(tag + "-w" + workers, workers, settings.threads(), settings.batch(),
                        settings.workerSettings(), settings.workerJvmOptions(), settings.logDir(), settings.workerStartup());
            }
            WorkerProcesses started = processes;
            int effective = Math.max(1, workers);
            if (settings.warmupRequests() > 0) {
                run(settings, started, workers, "warm-up " + workers + "w",
                        LoadShape.closed(effective, null, (long) settings.warmupRequests() * effective));
            }
            RunResult main = run(settings, started, workers, workers + (workers == 1 ? " worker" : " workers"), settings.load());
            Saturation saturation = null;
            RunResult half = null;
            if (settings.findSaturation() && !aborted) {
                saturation = searchSaturation(settings, started, workers, main);
                if (saturation.rate() > 0 && !aborted) {
                    LoadShape halfLoad = halfLoad(settings, saturation.rate());
                    half = run(settings, started, workers, workers + "w at half saturation", halfLoad);
                }
            }
            if (started != null && !started.dead().isEmpty()) {
                progress.println("WARNING: worker processes died during the run: " + started.dead());
            }
            return new Level(workers, main, saturation, half);
        } finally {
            if (processes != null) {
                processes.close();
            }
        }
    }

    /** The run at half the saturation rate: its own duration and arrivals if given, else the main load's. */
    static LoadShape halfLoad(Settings settings, double saturationRate) {
        Duration duration = settings.halfDuration() != null ? settings.halfDuration() : settings.load().duration();
        long count = settings.halfDuration() != null ? 0 : settings.load().count();
        return LoadShape.open(settings.halfArrivals(), saturationRate / 2, duration, count);
    }

    private Saturation searchSaturation(Settings settings, WorkerProcesses workers, int count, RunResult main) {
        int effective = Math.max(1, count);
        RunResult probe = main.load().openLoop() ? run(settings, workers, count, count + "w capacity probe",
                LoadShape.closed(settings.probeInFlight() * effective, settings.load().duration(), settings.load().count())) : main;
        double capacity = probe.capacityPerSecond();
        List<RunResult> steps = new ArrayList<>();
        double held = 0;
        double failed = Double.POSITIVE_INFINITY;
        double rate = 0.9 * capacity;
        LoadShape base = LoadShape.open(ArrivalSchedule.Shape.POISSON, Math.max(rate, 1e-3), settings.load().duration(),
                settings.load().count());
        for (int step = 0; step < settings.searchSteps() && !aborted && rate > 0; step++) {
            RunResult result = run(settings, workers, count, String.format("%dw rate %.3f/s", count, rate), base.withRate(rate));
            steps.add(result);
            boolean holds = result.holds(settings.sloP99Ms());
            progress.printf("  rate %.3f/s: p99 %.0f ms, backlog slope %.3f/s -> %s%n", rate, result.latency().endToEnd().p99(),
                    result.backlogSlopePerSecond(), holds ? "holds the SLO" : "misses the SLO");
            if (holds) {
                held = Math.max(held, rate);
                rate = Double.isInfinite(failed) ? rate * 1.15 : (held + failed) / 2;
            } else {
                failed = Math.min(failed, rate);
                rate = held == 0 ? rate * 0.7 : (held + failed) / 2;
            }
        }
        return new Saturation(settings.sloP99Ms(), probe, steps, held);
    }

    private RunResult run(Settings settings, WorkerProcesses workers, int count, String label, LoadShape load) {
        int expected = (int) Math.min(Workload.MAX_PREPARED, load.count() > 0 ? load.count()
                : load.openLoop() ? Math.ceil(load.rate() * load.duration().toSeconds()) + 1 : 1000);
        List<Workload.Template> templates = settings.workload().prepare(Math.max(1, expected), tokens);
        LoadRun run = new LoadRun(cluster, () -> workers == null ? Map.of() : workers.pids(), progress);
        current = run;
        if (aborted) {
            run.abort();
        }
        progress.printf("run '%s': %s%n", label, load.describe());
        LoadRun.Settings runSettings = new LoadRun.Settings(label, tag + "r" + (runs++), load, templates, settings.workload(),
                settings.drainTimeout(), Duration.ofSeconds(1), settings.progressInterval(), settings.seriesInterval());
        return run.run(runSettings, count, settings.threads());
    }
}

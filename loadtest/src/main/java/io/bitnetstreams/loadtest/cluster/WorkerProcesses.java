package io.bitnetstreams.loadtest.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker processes started for a run: child JVMs with their output in log files, ready once each has printed its
 * start line (model loaded, consumer started). Closing sends SIGTERM (a worker commits and leaves its group), then
 * kills what is left.
 */
public final class WorkerProcesses implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcesses.class);
    private static final Pattern READY = Pattern.compile("worker (\\S+) consuming .*health on port (-?\\d+)");

    /** A started worker. */
    public record Worker(String instanceId, Process process, Path log) {
        public long pid() {
            return process.pid();
        }
    }

    private final List<Worker> workers;

    private WorkerProcesses(List<Worker> workers) {
        this.workers = List.copyOf(workers);
    }

    /** Starts every worker and waits until each is consuming; on failure stops them all and says why. */
    public static WorkerProcesses start(List<WorkerLaunch.Spec> specs, Path logDir, Duration startupTimeout) throws IOException {
        Files.createDirectories(logDir);
        List<Worker> started = new ArrayList<>();
        try {
            for (WorkerLaunch.Spec spec : specs) {
                Path log = logDir.resolve(spec.instanceId() + ".log");
                Process process = new ProcessBuilder(WorkerLaunch.command(spec))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                started.add(new Worker(spec.instanceId(), process, log));
            }
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            for (Worker worker : started) {
                awaitReady(worker, deadline);
            }
            return new WorkerProcesses(started);
        } catch (IOException | RuntimeException e) {
            stop(started);
            throw e;
        }
    }

    private static void awaitReady(Worker worker, long deadlineNanos) throws IOException {
        while (true) {
            String output = Files.readString(worker.log(), StandardCharsets.UTF_8);
            Matcher ready = READY.matcher(output);
            if (ready.find()) {
                LOG.info("worker {} (pid {}) is consuming", worker.instanceId(), worker.pid());
                return;
            }
            if (!worker.process().isAlive()) {
                throw new IllegalStateException("worker " + worker.instanceId() + " exited with status "
                        + worker.process().exitValue() + " before it was ready; its log " + worker.log() + " ends with:\n" + tail(output));
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("worker " + worker.instanceId() + " was not ready in time; see " + worker.log());
            }
            try {
                // returns at once when the worker dies
                worker.process().waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the workers", e);
            }
        }
    }

    private static String tail(String text) {
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }

    public List<Worker> workers() {
        return workers;
    }

    /** Instance id to pid, for the CPU and memory sampler. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        workers.forEach(w -> pids.put(w.instanceId(), w.pid()));
        return pids;
    }

    /** Names of workers that died. */
    public List<String> dead() {
        return workers.stream().filter(w -> !w.process().isAlive()).map(Worker::instanceId).toList();
    }

    @Override
    public void close() {
        stop(workers);
    }

    private static void stop(List<Worker> workers) {
        workers.forEach(w -> w.process().destroy());
        for (Worker worker : workers) {
            try {
                if (!worker.process().waitFor(30, TimeUnit.SECONDS)) {
                    LOG.warn("worker {} did not stop within 30 s of SIGTERM: killing it", worker.instanceId());
                    worker.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                worker.process().destroyForcibly();
            }
        }
    }
}

package io.bitnetstreams.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OS process of the cluster (a controller, a broker, a topology instance, a worker), restartable with the same
 * command line: its output goes to {@code NAME.log} (each start appends), {@link #kill} is SIGKILL to it and its
 * descendants, {@link #stop} is SIGTERM then SIGKILL.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private volatile Process process;
    private long logOffsetAtStart;
    private int starts;

    public ChildProcess(String name, List<String> command, Map<String, String> environment, Path logDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = logDir.resolve(name + ".log");
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    public synchronized ChildProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        try {
            Files.createDirectories(log.getParent());
            logOffsetAtStart = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            process.getOutputStream().close();
            starts++;
            LOG.info("started {} (pid {}, start #{})", name, process.pid(), starts);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until this start's output has a line matching {@code ready}; fails when the process exits first or the
     * timeout passes, quoting the end of its log.
     */
    public String awaitOutput(Pattern ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String output = outputSinceStart();
            var matcher = ready.matcher(output);
            if (matcher.find()) {
                return matcher.group();
            }
            Process current = process;
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException(name + " exited (status " + (current == null ? "?" : current.exitValue())
                        + ") before printing /" + ready + "/; its log " + log + " ends with:\n" + tail(output));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print /" + ready + "/ within " + timeout.toSeconds()
                        + " s; its log " + log + " ends with:\n" + tail(output));
            }
            try {
                // returns at once when the process dies
                current.waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    /** What this start has printed so far. */
    public String outputSinceStart() {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(logOffsetAtStart, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean alive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    public long pid() {
        Process current = process;
        return current == null ? -1 : current.pid();
    }

    /** Waits for this start to end and returns its exit status; SIGKILL and -1 after the timeout. */
    public int awaitExit(Duration timeout) {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException(name + " was never started");
        }
        if (!awaitExit(current, timeout)) {
            kill();
            return -1;
        }
        return current.exitValue();
    }

    /** SIGKILL to the process and everything it started; returns once it is gone. */
    public synchronized void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.descendants().forEach(ProcessHandle::destroyForcibly);
        current.destroyForcibly();
        awaitExit(current, Duration.ofSeconds(30));
        LOG.info("killed {} (pid {}, SIGKILL)", name, current.pid());
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    public synchronized void stop() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy();
        if (!awaitExit(current, STOP_GRACE)) {
            LOG.warn("{} did not stop within {} s of SIGTERM: killing it", name, STOP_GRACE.toSeconds());
            kill();
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }

    static String tail(String text) {
        return text.length() <= 3000 ? text : text.substring(text.length() - 3000);
    }
}

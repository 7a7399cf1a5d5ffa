package io.bitnetstreams.standalone.run;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Draws the run's progress on stderr: a bar redrawn in place on a terminal, a line every 10 seconds otherwise
 * (logs and CI output stay readable).
 */
public final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final RunTracker tracker;
    private final boolean terminal;
    private final ScheduledExecutorService timer;
    private String last = "";

    public ProgressBar(PrintWriter err, RunTracker tracker, boolean terminal) {
        this.err = err;
        this.tracker = tracker;
        this.terminal = terminal;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("progress").factory());
        long period = terminal ? 250 : 10_000;
        timer.scheduleAtFixedRate(this::draw, period, period, TimeUnit.MILLISECONDS);
    }

    static String render(int ended, int total, double seconds) {
        int filled = total == 0 ? WIDTH : (int) ((long) ended * WIDTH / total);
        double rate = seconds > 0 ? ended / seconds : 0;
        return String.format(Locale.ROOT, "[%s%s] %d/%d requests ended  %.2f/s  %02d:%02d", "#".repeat(filled),
                ".".repeat(WIDTH - filled), ended, total, rate, (long) seconds / 60, (long) seconds % 60);
    }

    private synchronized void draw() {
        String line = render(tracker.ended(), tracker.total(), tracker.elapsedSeconds(System.nanoTime()));
        if (terminal) {
            err.print("\r" + line);
        } else if (!line.equals(last)) {
            err.println(line);
        }
        last = line;
        err.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        draw();
        if (terminal) {
            err.println();
        }
        err.flush();
    }
}

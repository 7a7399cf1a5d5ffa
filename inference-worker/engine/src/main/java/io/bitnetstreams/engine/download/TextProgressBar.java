package io.bitnetstreams.engine.download;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Draws a one-line text progress bar (bytes, percent, MB/s, ETA) by rewriting the line with
 * {@code \r}. Redraws at most every {@code interval} so a fast download does not flood the terminal.
 */
public final class TextProgressBar implements DownloadListener {

    private static final int BAR_WIDTH = 30;
    private static final double MB = 1_000_000.0;

    private final PrintWriter out;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private long startNanos;
    private long startBytes;
    private long lastDrawNanos;
    private boolean lineOpen;

    public TextProgressBar(PrintWriter out) {
        this(out, System::nanoTime, Duration.ofMillis(200));
    }

    public TextProgressBar(PrintWriter out, LongSupplier nanoClock, Duration interval) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void started(URI uri, long resumedBytes, long totalBytes) {
        startNanos = nanoClock.getAsLong();
        startBytes = resumedBytes;
        lastDrawNanos = Long.MIN_VALUE;
        if (resumedBytes > 0) {
            endLine();
            out.printf(Locale.ROOT, "resuming at %s%n", formatBytes(resumedBytes));
            out.flush();
        }
        progress(resumedBytes, totalBytes);
    }

    @Override
    public void progress(long bytes, long totalBytes) {
        long now = nanoClock.getAsLong();
        boolean done = totalBytes >= 0 && bytes >= totalBytes;
        if (!done && lastDrawNanos != Long.MIN_VALUE && now - lastDrawNanos < intervalNanos) {
            return;
        }
        lastDrawNanos = now;
        out.print("\r" + render(bytes, totalBytes, now - startNanos));
        out.flush();
        lineOpen = true;
    }

    @Override
    public void retrying(int retry, Duration wait, String reason) {
        endLine();
        out.printf(Locale.ROOT, "retry %d in %.1f s: %s%n", retry, wait.toMillis() / 1000.0, reason);
        out.flush();
    }

    @Override
    public void verifying(long bytes) {
        endLine();
        out.printf(Locale.ROOT, "verifying SHA-256 of %s%n", formatBytes(bytes));
        out.flush();
    }

    @Override
    public void finished(Path file, long bytes) {
        endLine();
    }

    /** The bar line for {@code bytes} of {@code totalBytes} after {@code elapsedNanos} of this request. */
    String render(long bytes, long totalBytes, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? (bytes - startBytes) / seconds : 0;
        StringBuilder line = new StringBuilder();
        if (totalBytes > 0) {
            double fraction = Math.min(1.0, (double) bytes / totalBytes);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            line.append('[').append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ");
            line.append(String.format(Locale.ROOT, "%5.1f%% ", fraction * 100));
            line.append(formatBytes(bytes)).append(" / ").append(formatBytes(totalBytes));
        } else {
            line.append(formatBytes(bytes));
        }
        line.append(String.format(Locale.ROOT, "  %.1f MB/s", rate / MB));
        if (totalBytes > 0 && rate > 0 && bytes < totalBytes) {
            line.append("  ETA ").append(formatDuration((long) Math.ceil((totalBytes - bytes) / rate)));
        }
        return line.toString();
    }

    static String formatBytes(long bytes) {
        if (bytes < 1_000) {
            return bytes + " B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    static String formatDuration(long seconds) {
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long secs = seconds % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
                : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            out.flush();
            lineOpen = false;
        }
    }
}

package io.bitnetstreams.engine.download;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that delivers no data for a while, so that a blocked read ends with an
 * IOException instead of hanging forever on a half-open connection (the JDK HTTP client has no
 * read timeout for streamed bodies).
 */
final class StallWatchdog implements AutoCloseable {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("download-stall-watchdog").factory());

    private final InputStream body;
    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean fired;

    private StallWatchdog(InputStream body, Duration timeout) {
        this.body = body;
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(1, timeoutNanos / 4);
        this.check = TIMER.scheduleAtFixedRate(this::checkStall, period, period, TimeUnit.NANOSECONDS);
    }

    static StallWatchdog watch(InputStream body, Duration timeout) {
        return new StallWatchdog(body, timeout);
    }

    void progressed() {
        lastProgressNanos = System.nanoTime();
    }

    /** True when the body was closed because it stalled. */
    boolean fired() {
        return fired;
    }

    private void checkStall() {
        if (!fired && System.nanoTime() - lastProgressNanos > timeoutNanos) {
            fired = true;
            try {
                body.close();
            } catch (IOException e) {
                // the reader sees the failure either way
            }
        }
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}

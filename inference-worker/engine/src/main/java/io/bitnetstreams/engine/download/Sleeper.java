package io.bitnetstreams.engine.download;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Waits between retries; injected so tests run without real waiting. */
@FunctionalInterface
public interface Sleeper {

    /** Waits without busy-spinning; ends early with InterruptedException when interrupted. */
    Sleeper SYSTEM = duration -> {
        long deadline = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting to retry");
            }
        }
    };

    /** Does not wait at all. */
    Sleeper NONE = duration -> { };

    void sleep(Duration duration) throws InterruptedException;
}

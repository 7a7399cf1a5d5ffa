package io.bitnetstreams.topology.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies, and whether the application makes progress.
 *
 * <p>A dead thread is replaced, but at most {@link #MAX_REPLACEMENTS} times within {@link #WINDOW}: a failure that
 * keeps coming back (a registry down for minutes, a record that can never be written) then shuts the Kafka Streams
 * client down, so liveness turns DOWN and the platform restarts the process, instead of a thread dying and being
 * replaced forever while the health endpoints say UP.
 *
 * <p>From a thread's death until a thread started after it commits (or {@link #RECOVERY} passes without another
 * death, for an application with nothing to process), {@link #makingProgress()} is false: readiness is DOWN.
 */
public final class StreamThreadSupervisor implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadSupervisor.class);
    /** Replacements allowed within {@link #WINDOW}; one more failure shuts the client down. */
    public static final int MAX_REPLACEMENTS = 5;
    public static final Duration WINDOW = Duration.ofMinutes(10);
    /** Quiet time after which an idle application counts as recovered. */
    public static final Duration RECOVERY = Duration.ofMinutes(2);

    private final Clock clock;
    private final Supplier<Map<String, Double>> commitsByThread;
    private final Deque<Instant> failures = new ArrayDeque<>();
    /**
     * Commits per thread name when the last failure happened (names are reused by replacement threads, whose counts
     * start again at zero); null when no failure is outstanding.
     */
    private Map<String, Double> baseline;
    private Instant lastFailureAt;
    private String lastFailure = "";

    /**
     * @param commitsByThread commits so far per live stream thread name (Kafka Streams' {@code commit-total})
     */
    public StreamThreadSupervisor(Clock clock, Supplier<Map<String, Double>> commitsByThread) {
        this.clock = clock;
        this.commitsByThread = commitsByThread;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        int recent;
        synchronized (this) {
            Instant now = clock.instant();
            failures.addLast(now);
            while (failures.peekFirst().isBefore(now.minus(WINDOW))) {
                failures.removeFirst();
            }
            recent = failures.size();
            baseline = new HashMap<>(commitsByThread.get());
            lastFailureAt = now;
            lastFailure = exception.getClass().getSimpleName() + ": " + exception.getMessage();
        }
        if (recent > MAX_REPLACEMENTS) {
            LOG.error("stream thread died {} times within {}: giving up and shutting down (liveness DOWN)", recent,
                    WINDOW, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("stream thread died ({} of {} replacements within {}); replacing it", recent, MAX_REPLACEMENTS,
                WINDOW, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** False from a thread's death until a newer thread commits or {@link #RECOVERY} passes quietly. */
    public synchronized boolean makingProgress() {
        if (baseline == null) {
            return true;
        }
        boolean committed = false;
        for (var thread : commitsByThread.get().entrySet()) {
            double before = baseline.getOrDefault(thread.getKey(), 0.0);
            if (thread.getValue() > before) {
                committed = true;
            } else if (thread.getValue() < before) {
                baseline.put(thread.getKey(), thread.getValue()); // a replacement reusing the name: count from here
            }
        }
        if (committed || clock.instant().isAfter(lastFailureAt.plus(RECOVERY))) {
            baseline = null;
            return true;
        }
        return false;
    }

    /** The last thread failure, for the readiness answer; empty when there was none. */
    public synchronized String lastFailure() {
        return lastFailure;
    }
}

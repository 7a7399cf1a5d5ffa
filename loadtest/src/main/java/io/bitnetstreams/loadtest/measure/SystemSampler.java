package io.bitnetstreams.loadtest.measure;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, at a fixed interval during a run, the consumer lag of the workers and of the topology and the CPU and
 * resident memory of every worker process.
 */
public final class SystemSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemSampler.class);

    /**
     * One sample.
     *
     * @param seconds       since the start of the run
     * @param workerLag     work items not yet committed by the worker group (-1: unknown)
     * @param topologyLag   requests and work results not yet committed by the topology (-1: unknown)
     * @param processes     per worker process: CPU seconds so far and RSS
     * @param threads       per process, CPU seconds so far of its thread groups ({@link ProcStats#threadGroups}); only
     *                      in the first and the last sample of a run (null in the others)
     */
    public record Sample(double seconds, long workerLag, long topologyLag, Map<String, ProcStats.Reading> processes,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, Double>> threads) {
        public Sample(double seconds, long workerLag, long topologyLag, Map<String, ProcStats.Reading> processes) {
            this(seconds, workerLag, topologyLag, processes, null);
        }
    }

    /** What to sample: lag probes (may return -1) and the processes by name and pid. */
    public interface Sources {
        long workerLag();

        long topologyLag();

        Map<String, Long> processes();
    }

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("loadtest-sampler").factory());
    private final List<Sample> samples = new ArrayList<>();
    private final Sources sources;
    private final LongSupplier clockNanos;
    private boolean sampledThreads;
    private boolean closed;

    private SystemSampler(Sources sources, LongSupplier clockNanos) {
        this.sources = sources;
        this.clockNanos = clockNanos;
    }

    public static SystemSampler start(Sources sources, LongSupplier clockNanos, Duration interval) {
        SystemSampler sampler = new SystemSampler(sources, clockNanos);
        sampler.scheduler.scheduleAtFixedRate(sampler::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    private void sample() {
        boolean withThreads;
        synchronized (samples) {
            withThreads = !sampledThreads;
            sampledThreads = true;
        }
        sample(withThreads);
    }

    /** One sample; with the processes' thread groups in the first and the last (they cost a read per thread). */
    private void sample(boolean withThreads) {
        try {
            double seconds = clockNanos.getAsLong() / 1e9;
            Map<String, ProcStats.Reading> readings = new LinkedHashMap<>();
            Map<String, Map<String, Double>> threads = withThreads ? new LinkedHashMap<>() : null;
            sources.processes().forEach((name, pid) -> {
                ProcStats.read(pid).ifPresent(r -> readings.put(name, r));
                if (threads != null) {
                    threads.put(name, ProcStats.threadGroups(pid));
                }
            });
            Sample sample = new Sample(seconds, sources.workerLag(), sources.topologyLag(), readings, threads);
            synchronized (samples) {
                samples.add(sample);
            }
        } catch (RuntimeException e) {
            LOG.warn("sampling failed: {}", e.toString());
        }
    }

    /** The latest sample, if any. */
    public Sample latest() {
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.getLast();
        }
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Stops sampling and takes the last sample (with thread groups); later calls do nothing. */
    @Override
    public void close() {
        synchronized (samples) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(true);
    }

    /** Adapts suppliers to {@link Sources}. */
    public static Sources sources(LongSupplier workerLag, LongSupplier topologyLag, Supplier<Map<String, Long>> processes) {
        return new Sources() {
            @Override
            public long workerLag() {
                return workerLag.getAsLong();
            }

            @Override
            public long topologyLag() {
                return topologyLag.getAsLong();
            }

            @Override
            public Map<String, Long> processes() {
                return processes.get();
            }
        };
    }
}

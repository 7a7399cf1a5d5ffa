package io.bitnetstreams.loadtest.measure;

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
     */
    public record Sample(double seconds, long workerLag, long topologyLag, Map<String, ProcStats.Reading> processes) {
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
        try {
            double seconds = clockNanos.getAsLong() / 1e9;
            Map<String, ProcStats.Reading> readings = new LinkedHashMap<>();
            sources.processes().forEach((name, pid) -> ProcStats.read(pid).ifPresent(r -> readings.put(name, r)));
            Sample sample = new Sample(seconds, sources.workerLag(), sources.topologyLag(), readings);
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

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

package io.bitnetstreams.worker.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The worker's meters; names become Prometheus names like {@code bitnet_worker_items_total}. Latencies and
 * tokens/s publish histogram buckets ({@code _bucket}) so dashboards compute p50/p95/p99 across instances with
 * {@code histogram_quantile}; batch sizes up to the largest allowed batch (4096).
 */
public final class WorkerMetrics {

    /** Queueing behind a backlog takes minutes; Micrometer's default top bucket (30 s) would hide it. */
    private static final Duration LONGEST_LATENCY = Duration.ofHours(1);

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final DistributionSummary tokensPerSecond;
    private final AtomicLong modelLoadMillis = new AtomicLong();
    private final Counter commits;
    private final Counter aborts;
    private final Counter finalResultsPublished;
    private final Counter finalResultsGivenUp;
    private final Counter speculationsStarted;
    private final Counter speculationsAdopted;
    private final Counter speculationsDropped;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder("bitnet.worker.batch.size").description("Items run together in one executor batch")
                .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(4096.0).register(registry);
        this.promptTokens = Counter.builder("bitnet.worker.tokens.prompt").description("Prompt tokens read").register(registry);
        this.generatedTokens = Counter.builder("bitnet.worker.tokens.generated").description("Tokens generated or scored").register(registry);
        this.tokensPerSecond = DistributionSummary.builder("bitnet.worker.tokens.per.second").description("Generated tokens per second of inference, per item")
                .publishPercentileHistogram().minimumExpectedValue(0.1).maximumExpectedValue(100_000.0).register(registry);
        this.commits = Counter.builder("bitnet.worker.transactions").tag("result", "committed").register(registry);
        this.aborts = Counter.builder("bitnet.worker.transactions").tag("result", "aborted").register(registry);
        this.finalResultsPublished = Counter.builder("bitnet.worker.final.results").tag("outcome", "published")
                .description("Final results of one-part requests the worker published itself").register(registry);
        this.finalResultsGivenUp = Counter.builder("bitnet.worker.final.results").tag("outcome", "given_up")
                .description("Final results left to the topology: too close to the deadline at completion (no claim) or "
                        + "once the work result was acknowledged (the transaction aborted and run again)")
                .register(registry);
        this.speculationsStarted = speculations("started", "Inference started on a work item read before its transaction committed");
        this.speculationsAdopted = speculations("adopted", "Speculative inference the committed read of the same record took over");
        this.speculationsDropped = speculations("dropped", "Speculative inference dropped: its record was aborted, moved to "
                + "another worker, or was not adopted in time");
        Gauge.builder("bitnet.worker.model.load.seconds", modelLoadMillis, v -> v.get() / 1000.0).description("Time the model took to load").register(registry);
    }

    /** Meters into a private in-memory registry (tests, no HTTP). */
    public static WorkerMetrics inMemory() {
        return new WorkerMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers gauges read on scrape: queue depth and items in flight. */
    public void bindQueue(Supplier<Number> queued, Supplier<Number> inFlight) {
        Gauge.builder("bitnet.worker.queue.depth", queued).description("Items waiting in the executor queue").register(registry);
        Gauge.builder("bitnet.worker.in.flight", inFlight).description("Items consumed but not yet committed").register(registry);
    }

    public void item(String task, String outcome) {
        Counter.builder("bitnet.worker.items").tag("task", task.toLowerCase(Locale.ROOT)).tag("outcome", outcome.toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    public void inference(int batch, int prompt, int generated, long queuedMs, long inferenceMs) {
        if (batch > 0) {
            batchSize.record(batch);
        }
        promptTokens.increment(prompt);
        generatedTokens.increment(generated);
        stage("queued").record(Duration.ofMillis(queuedMs));
        stage("inference").record(Duration.ofMillis(inferenceMs));
        if (inferenceMs > 0 && generated > 0) {
            tokensPerSecond.record(generated * 1000.0 / inferenceMs);
        }
    }

    public void published(long publishMs) {
        stage("publish").record(Duration.ofMillis(publishMs));
    }

    public void transaction(boolean committed) {
        (committed ? commits : aborts).increment();
    }

    public void finalResultsPublished(int count) {
        finalResultsPublished.increment(count);
    }

    public void finalResultsGivenUp(int count) {
        finalResultsGivenUp.increment(count);
    }

    /** Counts what became of speculative inference (see {@code Speculations}). */
    Speculations.Listener speculationListener() {
        return new Speculations.Listener() {
            @Override
            public void started() {
                speculationsStarted.increment();
            }

            @Override
            public void adopted() {
                speculationsAdopted.increment();
            }

            @Override
            public void dropped() {
                speculationsDropped.increment();
            }
        };
    }

    /** Speculations so far: started, adopted, dropped. */
    public long[] speculations() {
        return new long[] {(long) speculationsStarted.count(), (long) speculationsAdopted.count(), (long) speculationsDropped.count()};
    }

    private Counter speculations(String outcome, String description) {
        return Counter.builder("bitnet.worker.speculations").tag("outcome", outcome).description(description).register(registry);
    }

    public void modelLoaded(Duration loadTime) {
        modelLoadMillis.set(loadTime.toMillis());
    }

    private Timer stage(String stage) {
        return Timer.builder("bitnet.worker.latency").tag("stage", stage).description("Latency per stage")
                .publishPercentileHistogram().maximumExpectedValue(LONGEST_LATENCY).register(registry);
    }
}

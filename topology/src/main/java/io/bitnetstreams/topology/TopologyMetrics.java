package io.bitnetstreams.topology;

import io.bitnetstreams.avro.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The application's own meters. Counters may count a record twice when an exactly-once transaction is retried;
 * the topics are the source of truth, the meters are for watching.
 */
public final class TopologyMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary chunksPerRequest;
    private final Timer requestLatency;
    private final Counter duplicates;
    private final Counter lateResults;

    public TopologyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.chunksPerRequest = DistributionSummary.builder("bitnet.topology.chunks.per.request")
                .description("Chunks a classification or extraction document was split into")
                .publishPercentileHistogram().register(registry);
        this.requestLatency = Timer.builder("bitnet.topology.request.latency")
                .description("From the request's createdAt to its final result")
                // requests wait behind a backlog for minutes; the default top bucket (30 s) would hide that
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofHours(1)).register(registry);
        this.duplicates = Counter.builder("bitnet.topology.duplicates")
                .description("Requests dropped because their id was seen within the dedupe window").register(registry);
        this.lateResults = Counter.builder("bitnet.topology.results.late")
                .description("Work results for requests already finished or unknown").register(registry);
    }

    /** Meters kept in memory only (tests, or when nobody scrapes). */
    public static TopologyMetrics inMemory() {
        return new TopologyMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void recordIn(String topic) {
        registry.counter("bitnet.topology.records.in", "topic", topic).increment();
    }

    public void recordOut(String topic) {
        registry.counter("bitnet.topology.records.out", "topic", topic).increment();
    }

    public void deadLetter(DeadLetterReason reason) {
        registry.counter("bitnet.topology.dead.letters", "reason", reason.name()).increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void lateResult() {
        lateResults.increment();
    }

    /** A request ended by the final result its worker published; {@code how}: DONE, PARTIAL or FAILED. */
    public void publishedByWorker(String how) {
        registry.counter("bitnet.topology.final.results.by.worker", "status", how).increment();
    }

    /** A deadline check written ({@code written}) or read back and acted on ({@code published}) or not needed. */
    public void deadlineCheck(String outcome) {
        registry.counter("bitnet.topology.deadline.checks", "outcome", outcome).increment();
    }

    public void chunks(int count) {
        chunksPerRequest.record(count);
    }

    public void finished(long createdAtMs, long nowMs) {
        requestLatency.record(Duration.ofMillis(Math.max(0, nowMs - createdAtMs)));
    }

    public double count(String name, String tagKey, String tagValue) {
        var counter = registry.find(name).tag(tagKey, tagValue).counter();
        return counter == null ? 0 : counter.count();
    }
}

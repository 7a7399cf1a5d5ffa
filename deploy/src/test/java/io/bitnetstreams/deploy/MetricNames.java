package io.bitnetstreams.deploy;

import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.worker.service.WorkerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What the worker's and the topology's meters publish, from the meter classes the processes use. */
final class MetricNames {

    private MetricNames() {}

    /** One Prometheus scrape with every meter recorded once (a meter appears only once used). */
    static String scrape() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        var worker = new WorkerMetrics(registry);
        worker.bindQueue(() -> 0, () -> 0);
        worker.inference(2, 10, 5, 3, 40);
        worker.published(1);
        worker.item("classify", "dead_letter");
        var topology = new TopologyMetrics(registry);
        topology.recordIn("bitnet.requests");
        topology.finished(0, 1_000);
        topology.deadLetter(DeadLetterReason.values()[0]);
        return "\n" + registry.scrape();
    }
}

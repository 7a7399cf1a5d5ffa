package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Dashboards take p50/p95/p99 from histogram buckets, summed over instances: the scrape must carry them. */
class WorkerMetricsTest {

    @Test
    void latencyBatchSizeAndTokenRatePublishHistogramBuckets() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var metrics = new WorkerMetrics(registry);
        metrics.inference(5, 120, 30, 40_000, 2_500);
        metrics.published(12);

        String scrape = registry.scrape();
        assertThat(scrape).contains("bitnet_worker_batch_size_bucket{le=\"4.0\"} 0")
                .contains("bitnet_worker_batch_size_bucket{le=\"+Inf\"} 1")
                .containsPattern("bitnet_worker_latency_seconds_bucket\\{stage=\"inference\",le=\"[0-9.]+\"} 1")
                .contains("bitnet_worker_tokens_per_second_bucket");
        // a 40 s queue wait lands in a finite bucket, not only in +Inf (the default top bucket is 30 s)
        assertThat(scrape).containsPattern("bitnet_worker_latency_seconds_bucket\\{stage=\"queued\",le=\"(4[0-9]|[5-9][0-9]|[0-9]{3,})\\.[0-9]+\"} 1");
    }
}

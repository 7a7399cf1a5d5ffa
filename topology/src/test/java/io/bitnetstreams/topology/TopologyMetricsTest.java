package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class TopologyMetricsTest {

    @Test
    void requestLatencyPublishesBucketsBeyondHalfAMinute() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var metrics = new TopologyMetrics(registry);
        metrics.finished(0, 150_000); // 2.5 minutes behind a backlog

        String scrape = registry.scrape();
        assertThat(scrape).contains("bitnet_topology_request_latency_seconds_bucket{le=\"+Inf\"} 1")
                .containsPattern("bitnet_topology_request_latency_seconds_bucket\\{le=\"(1[5-9][0-9]|[2-9][0-9]{2}|[0-9]{4,})\\.[0-9]+\"} 1");
    }
}

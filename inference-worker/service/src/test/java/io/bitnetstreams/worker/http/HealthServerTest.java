package io.bitnetstreams.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private final HttpClient client = HttpClient.newHttpClient();
    private HealthServer server;

    @BeforeEach
    void start() throws Exception {
        server = HealthServer.start(0, live::get, ready::get, () -> "bitnet_worker_queue_depth 3.0\n");
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswersWhileLiveAndSaysWhetherReady() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/health").body()).isEqualTo("UP NOT_READY\n");
        ready.set(true);
        assertThat(get("/health").body()).isEqualTo("UP READY\n");
        live.set(false);
        assertThat(get("/health").statusCode()).isEqualTo(503);
    }

    @Test
    void readinessFollowsTheCheck() throws Exception {
        assertThat(get(HealthServer.READY).statusCode()).isEqualTo(503);
        ready.set(true);
        assertThat(get(HealthServer.READY).statusCode()).isEqualTo(200);
        assertThat(get(HealthServer.LIVE).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsServePrometheusText() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("bitnet_worker_queue_depth 3.0");
    }

    @Test
    void pathsThatOnlyStartLikeOnesWeServeAreNotFound() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(404);
        assertThat(get("/health/ready/x").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).isEqualTo(404);
    }

    @Test
    void onlyGetAndHead() throws Exception {
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }
}

package io.bitnetstreams.topology.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusServerTest {

    private final StatusServer owner = new StatusServer("127.0.0.1", 0, () -> "owner_metric 1\n", () -> true);
    private final StatusServer other = new StatusServer("127.0.0.1", 0, () -> "", () -> false);
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        owner.close();
        other.close();
        client.close();
    }

    @Test
    void answersLocallyAndForwardsToTheOwningInstance() throws Exception {
        owner.statusSource((id, local) -> id.equals("r 1")
                ? new StatusLookup.Found(new RequestStatus("r 1", RequestState.IN_PROGRESS, 2, 5, null, 0))
                : new StatusLookup.NotFound());
        // the other instance does not hold "r 1" and points to the owner, unless asked to answer locally
        other.statusSource((id, local) -> local ? new StatusLookup.NotFound()
                : new StatusLookup.Elsewhere("127.0.0.1", owner.port()));

        var local = get(owner.port(), "/requests/r%201");
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(local.body()).contains("\"status\":\"IN_PROGRESS\"").contains("\"progress\":\"2/5\"");

        var forwarded = get(other.port(), "/requests/r%201");
        assertThat(forwarded.statusCode()).isEqualTo(200);
        assertThat(forwarded.body()).isEqualTo(local.body());

        assertThat(get(other.port(), "/requests/unknown").statusCode()).isEqualTo(404);
    }

    @Test
    void unavailableStoreIs503AndBadIdsAre400() throws Exception {
        owner.statusSource((id, local) -> new StatusLookup.Unavailable("rebalancing"));
        assertThat(get(owner.port(), "/requests/x").statusCode()).isEqualTo(503);
        assertThat(get(owner.port(), "/requests/" + "x".repeat(300)).statusCode()).isEqualTo(400);
    }

    @Test
    void readinessIsItsOwnCheck() throws Exception {
        try (var starting = new StatusServer("127.0.0.1", 0, () -> "", () -> true, () -> false)) {
            assertThat(get(starting.port(), "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(starting.port(), "/health").statusCode()).isEqualTo(200);
            assertThat(get(starting.port(), "/health/ready").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void servesMetricsAndHealth() throws Exception {
        var metrics = get(owner.port(), "/metrics");
        assertThat(metrics.body()).isEqualTo("owner_metric 1\n");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(get(owner.port(), "/health").statusCode()).isEqualTo(200);
        assertThat(get(other.port(), "/health").statusCode()).isEqualTo(503);
        assertThat(get(owner.port(), "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(owner.port(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(other.port(), "/health/ready").statusCode()).isEqualTo(503);
        assertThat(get(owner.port(), "/healthz").statusCode()).isEqualTo(404);
        assertThat(get(owner.port(), "/metrics/x").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

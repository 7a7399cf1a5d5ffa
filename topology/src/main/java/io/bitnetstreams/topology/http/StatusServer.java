package io.bitnetstreams.topology.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bitnetstreams.topology.state.RequestState;
import io.bitnetstreams.topology.state.RequestStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's HTTP port: {@code GET /requests/{id}} (status as JSON, forwarded to the owning instance when
 * another one holds the request), {@code GET /metrics} (Prometheus text), {@code GET /health} and
 * {@code GET /health/live} (200 while Kafka Streams runs or rebalances, else 503) and {@code GET /health/ready}
 * (200 once it runs with its tasks assigned): the same paths as the worker's health server.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Marks a forwarded query so the owner answers locally and a stale owner map cannot loop. */
    static final String FORWARDED = "forwarded=1";
    private static final int MAX_ID_CHARS = 256;

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile StatusLookup.Source source = (id, local) -> new StatusLookup.Unavailable("starting");

    public static final String HEALTH = "/health";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String METRICS = "/metrics";

    /** Binds {@code host:port} (port 0: any free port); one check answers liveness and readiness. */
    public StatusServer(String host, int port, Supplier<String> metrics, BooleanSupplier healthy) {
        this(host, port, metrics, healthy, healthy);
    }

    /** Binds {@code host:port} (port 0: any free port) and serves metrics from {@code metrics}. */
    public StatusServer(String host, int port, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the HTTP port " + host + ":" + port, e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/requests/", exchange -> handle(exchange, null, () -> status(exchange)));
        server.createContext(METRICS, exchange -> handle(exchange, METRICS,
                () -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
        server.createContext(HEALTH, exchange -> handle(exchange, HEALTH, () -> probe(exchange, live)));
        server.createContext(LIVE, exchange -> handle(exchange, LIVE, () -> probe(exchange, live)));
        server.createContext(READY, exchange -> handle(exchange, READY, () -> probe(exchange, ready)));
        server.start();
    }

    /** Where statuses come from; set once Kafka Streams exists (the port must be known before). */
    public void statusSource(StatusLookup.Source source) {
        this.source = source;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void probe(HttpExchange exchange, BooleanSupplier check) throws IOException {
        boolean up = check.getAsBoolean();
        respond(exchange, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
    }

    /** {@code exactPath} non-null: a context matches every path it prefixes ({@code /healthz}), answer 404 to those. */
    private static void handle(HttpExchange exchange, String exactPath, Action action) {
        try (exchange) {
            if (exactPath != null && !exactPath.equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "application/json", error("not found"));
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "application/json", "{\"error\":\"only GET\"}");
                return;
            }
            action.run();
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} failed: {}", exchange.getRequestURI(), e.toString());
            try {
                respond(exchange, 500, "application/json", error("internal error"));
            } catch (IOException ignored) {
                // the client is gone
            }
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        String raw = exchange.getRequestURI().getRawPath().substring("/requests/".length());
        String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (id.isEmpty() || id.length() > MAX_ID_CHARS || id.contains("/")) {
            respond(exchange, 400, "application/json", error("request id must be 1.." + MAX_ID_CHARS + " characters"));
            return;
        }
        boolean forwarded = FORWARDED.equals(exchange.getRequestURI().getRawQuery());
        switch (source.find(id, forwarded)) {
            case StatusLookup.Found found -> respond(exchange, 200, "application/json", json(found.status()));
            case StatusLookup.NotFound ignored -> respond(exchange, 404, "application/json", error("unknown request " + id));
            case StatusLookup.Unavailable unavailable -> respond(exchange, 503, "application/json", error(unavailable.reason()));
            case StatusLookup.Elsewhere elsewhere -> forward(exchange, elsewhere, id);
        }
    }

    private void forward(HttpExchange exchange, StatusLookup.Elsewhere owner, String id) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/requests/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "?" + FORWARDED);
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            respond(exchange, response.statusCode(), "application/json", response.body());
        } catch (IOException e) {
            respond(exchange, 502, "application/json", error("owner " + owner.host() + ":" + owner.port() + " unreachable"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "application/json", error("interrupted"));
        }
    }

    /** The JSON body of a status: state, progress "k/n" while in progress, detail when there is one. */
    static String json(RequestStatus status) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("requestId", status.requestId());
        node.put("status", status.state().name());
        if (status.state() == RequestState.IN_PROGRESS || status.chunksTotal() > 0) {
            node.put("progress", status.chunksAnswered() + "/" + status.chunksTotal());
        }
        node.put("chunksAnswered", status.chunksAnswered());
        node.put("chunksTotal", status.chunksTotal());
        if (status.detail() != null) {
            node.put("detail", status.detail());
        }
        node.put("updatedAt", java.time.Instant.ofEpochMilli(status.updatedAt()).toString());
        return node.toString();
    }

    private static String error(String message) {
        return MAPPER.createObjectNode().put("error", message).toString();
    }

    private static void respond(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
        client.close();
    }
}

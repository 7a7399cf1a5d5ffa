package io.bitnetstreams.worker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health} (200 while live, with the readiness in the body), {@code /health/live}, {@code /health/ready}
 * (200 or 503) and {@code /metrics} (Prometheus text) on the JDK's HTTP server: the same paths as the topology's
 * status server, so probes and scrapers treat every part alike. GET and HEAD only; other methods get 405, other
 * paths 404.
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

    /** The paths, public so deployment files can be checked against them. */
    public static final String HEALTH = "/health";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";
    public static final String METRICS = "/metrics";

    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on {@code port} (0 = any free port) on all interfaces. */
    public static HealthServer start(int port, BooleanSupplier live, BooleanSupplier ready, Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
        server.createContext(HEALTH, exchange -> {
            if (exact(exchange, HEALTH) && allowed(exchange)) {
                boolean up = live.getAsBoolean();
                respond(exchange, up ? 200 : 503, "text/plain", (up ? "UP" : "DOWN") + (ready.getAsBoolean() ? " READY\n" : " NOT_READY\n"));
            }
        });
        server.createContext(LIVE, exchange -> probe(exchange, LIVE, live));
        server.createContext(READY, exchange -> probe(exchange, READY, ready));
        server.createContext(METRICS, exchange -> {
            if (exact(exchange, METRICS) && allowed(exchange)) {
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            }
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain", "not found\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("bitnet-worker-http").daemon().unstarted(r)));
        server.start();
        log.info("health and metrics on port {}", server.getAddress().getPort());
        return new HealthServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void probe(HttpExchange exchange, String path, BooleanSupplier check) throws IOException {
        if (!exact(exchange, path) || !allowed(exchange)) {
            return;
        }
        boolean ok = check.getAsBoolean();
        respond(exchange, ok ? 200 : 503, "text/plain", ok ? "UP\n" : "DOWN\n");
    }

    /** A context matches every path it prefixes ({@code /healthz}, {@code /metrics/x}): answer 404 to those. */
    private static boolean exact(HttpExchange exchange, String path) throws IOException {
        if (exchange.getRequestURI().getPath().equals(path)) {
            return true;
        }
        respond(exchange, 404, "text/plain", "not found\n");
        return false;
    }

    private static boolean allowed(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            respond(exchange, 405, "text/plain", "method not allowed\n");
            return false;
        }
        return true;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

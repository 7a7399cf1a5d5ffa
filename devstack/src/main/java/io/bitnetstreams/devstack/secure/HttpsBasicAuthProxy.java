package io.bitnetstreams.devstack.secure;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A TLS-terminating reverse proxy with HTTP basic authentication in front of a plain-HTTP service (the Apicurio
 * registry process, which cannot check basic-auth users itself without an OIDC server). It serves HTTPS on a
 * free loopback port with the key pair of a {@link TestPki}, answers 401 to a request without the right
 * {@code Authorization: Basic} header, and forwards everything else (method, path, query, body, content type) to
 * {@code upstream}. Built on the JDK's {@code HttpsServer} and {@code HttpClient}: no third-party code.
 */
public final class HttpsBasicAuthProxy implements AutoCloseable {

    private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("content-type", "accept");

    private final HttpsServer server;
    private final ExecutorService executor;
    private final HttpClient upstreamClient;
    private final URI upstream;
    private final byte[] expectedAuthorization;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();

    private HttpsBasicAuthProxy(HttpsServer server, ExecutorService executor, URI upstream, String user,
                                String password) {
        this.server = server;
        this.executor = executor;
        this.upstream = upstream;
        this.upstreamClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.expectedAuthorization = ("Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
    }

    /** Starts the proxy on {@code https://127.0.0.1:PORT} (free port) forwarding to {@code upstream}. */
    public static HttpsBasicAuthProxy start(URI upstream, TestPki pki, String user, String password) {
        try {
            KeyStore keys = KeyStore.getInstance(TestPki.STORE_TYPE);
            try (InputStream in = java.nio.file.Files.newInputStream(pki.keyStore())) {
                keys.load(in, pki.storePassword().toCharArray());
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, pki.storePassword().toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(factory.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            ExecutorService executor = Executors.newFixedThreadPool(4, runnable ->
                    Thread.ofPlatform().daemon().name("https-proxy").unstarted(runnable));
            server.setExecutor(executor);
            HttpsBasicAuthProxy proxy = new HttpsBasicAuthProxy(server, executor, upstream, user, password);
            server.createContext("/", proxy::handle);
            server.start();
            return proxy;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the HTTPS proxy: " + e.getMessage(), e);
        }
    }

    /** {@code https://127.0.0.1:PORT} plus {@code path}. */
    public String url(String path) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests answered 401 (no or wrong credentials). */
    public int refused() {
        return refused.get();
    }

    /** Requests forwarded to the upstream. */
    public int forwarded() {
        return forwarded.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !MessageDigest.isEqual(expectedAuthorization,
                    authorization.getBytes(StandardCharsets.UTF_8))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            URI requested = exchange.getRequestURI();
            URI target = upstream.resolve(requested.getRawPath()
                    + (requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery()));
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), body.length == 0
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (FORWARDED_REQUEST_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = upstreamClient.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            forwarded.incrementAndGet();
            for (String name : List.of("Content-Type")) {
                response.headers().firstValue(name).ifPresent(value -> exchange.getResponseHeaders().add(name, value));
            }
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        upstreamClient.close();
    }
}

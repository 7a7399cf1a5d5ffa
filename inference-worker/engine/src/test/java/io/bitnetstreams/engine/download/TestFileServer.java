package io.bitnetstreams.engine.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server on 127.0.0.1 (port 0) serving deterministic random bytes at {@code /model.bin}
 * with {@code Range: bytes=N-} support, plus knobs for misbehaviour: ignore ranges, cut the body
 * of the first response after N bytes, answer 5xx a number of times, redirect from {@code /redirect}.
 * Every request is recorded.
 */
public final class TestFileServer implements AutoCloseable {

    public record Request(String path, String range, String authorization, String ifRange) { }

    public static final String FILE_PATH = "/model.bin";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final byte[] content;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private volatile boolean ignoreRange;
    private volatile long cutFirstResponseAfter = -1;
    private volatile URI redirectTarget;
    private volatile long stallFirstResponseAfter = -1;
    private final CountDownLatch released = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public TestFileServer(int size, long seed) throws IOException {
        this.content = new byte[size];
        new SplittableRandom(seed).nextBytes(content);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor); // a stalled handler must not block the next request
        server.start();
    }

    public byte[] content() {
        return content.clone();
    }

    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public URI fileUri() {
        return uri(FILE_PATH);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void ignoreRange() {
        ignoreRange = true;
    }

    /** The first response of {@code /model.bin} announces the full length but ends after {@code bytes}. */
    public void cutFirstResponseAfter(long bytes) {
        cutFirstResponseAfter = bytes;
    }

    /** The first response of {@code /model.bin} sends {@code bytes}, then hangs until the server closes. */
    public void stallFirstResponseAfter(long bytes) {
        stallFirstResponseAfter = bytes;
    }

    /** The next {@code times} requests get {@code status}. */
    public void fail(int times, int status) {
        failureStatus = status;
        failuresLeft.set(times);
    }

    /** {@code /redirect} answers 302 to {@code target}. */
    public void redirectTo(URI target) {
        redirectTarget = target;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Range"),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("If-Range")));
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(failureStatus, -1);
            } else if (path.equals("/redirect") && redirectTarget != null) {
                exchange.getResponseHeaders().set("Location", redirectTarget.toString());
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals(FILE_PATH)) {
                serveFile(exchange);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private void serveFile(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("ETag", "\"content-v1\"");
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        long start = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (!ignoreRange && matcher != null && matcher.matches()) {
            start = Long.parseLong(matcher.group(1));
            if (start >= content.length) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
            exchange.sendResponseHeaders(206, content.length - start);
        } else {
            exchange.sendResponseHeaders(200, content.length);
        }
        long cut = cutFirstResponseAfter;
        cutFirstResponseAfter = -1;
        long stall = stallFirstResponseAfter;
        stallFirstResponseAfter = -1;
        OutputStream body = exchange.getResponseBody();
        if (stall >= 0) {
            body.write(content, (int) start, (int) Math.min(stall, content.length - start));
            body.flush();
            try {
                released.await(); // a half-open connection: no more bytes, no close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (cut >= 0) {
            body.write(content, (int) start, (int) Math.min(cut, content.length - start));
            body.flush();
            // Closing with bytes missing makes the server drop the connection: the client sees a cut body.
            return;
        }
        body.write(content, (int) start, (int) (content.length - start));
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}

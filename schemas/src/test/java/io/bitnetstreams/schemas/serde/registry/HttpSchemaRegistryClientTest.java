package io.bitnetstreams.schemas.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP handling of the client against a tiny local server returning canned statuses. This checks our retries,
 * error mapping and request shapes, not registry semantics (the ITs run against a real registry).
 */
class HttpSchemaRegistryClientTest {

    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Ping\",\"namespace\":\"t\",\"fields\":[{\"name\":\"n\",\"type\":\"int\"}]}");
    private static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(250));

    private record Canned(int status, String body) {}

    private record Seen(String method, String path, String contentType, String authorization, String body) {}

    private HttpServer server;
    private final Deque<Canned> replies = new ArrayDeque<>();
    private Canned fallback = new Canned(500, "{\"error_code\":50001,\"message\":\"boom\"}");
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private HttpSchemaRegistryClient client;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        if (client != null) {
            client.close();
        }
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        var headers = exchange.getRequestHeaders();
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                headers.getFirst("Content-Type"), headers.getFirst("Authorization"), body));
        Canned reply;
        synchronized (replies) {
            reply = replies.isEmpty() ? fallback : replies.poll();
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private URI baseUrl(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpSchemaRegistryClient client(List<URI> urls, Optional<BasicAuth> auth) {
        var config = new RegistryClientConfig(urls, auth, RETRY, Duration.ofSeconds(5));
        client = new HttpSchemaRegistryClient(config,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build(),
                sleeps::add);
        return client;
    }

    private HttpSchemaRegistryClient client() {
        return client(List.of(baseUrl("/apis/ccompat/v7")), Optional.empty());
    }

    private void reply(int status, String body) {
        replies.add(new Canned(status, body));
    }

    @Test
    void registerPostsTheSchemaAsJsonUnderTheBasePathAndCachesTheId() throws Exception {
        reply(200, "{\"id\":7}");
        var client = client();

        assertThat(client.register("orders value", SCHEMA)).isEqualTo(7);
        assertThat(client.register("orders value", SCHEMA)).isEqualTo(7);

        assertThat(seen).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/apis/ccompat/v7/subjects/orders%20value/versions");
            assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
            var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(request.body());
            assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(SCHEMA);
        });
        // the registered schema is known by id without another request
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(seen).hasSize(1);
    }

    @Test
    void schemaByIdParsesTheReplyAndCachesIt() {
        reply(200, "{\"schema\":" + quoted(SCHEMA.toString()) + "}");
        var client = client();

        assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
        assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
        assertThat(seen).extracting(Seen::path).containsExactly("/apis/ccompat/v7/schemas/ids/12");
    }

    @Test
    void lookupLatestAndCompatibilityUseTheirEndpoints() {
        reply(200, "{\"subject\":\"s\",\"id\":3,\"version\":2,\"schema\":" + quoted(SCHEMA.toString()) + "}");
        reply(200, "{\"subject\":\"s\",\"id\":3,\"version\":2,\"schema\":" + quoted(SCHEMA.toString()) + "}");
        reply(200, "{\"is_compatible\":false,\"messages\":[\"field n changed type\"]}");
        var client = client();

        assertThat(client.lookupId("s", SCHEMA)).isEqualTo(3);
        assertThat(client.latestVersion("s")).isEqualTo(new RegisteredSchema("s", 3, 2, SCHEMA));
        assertThat(client.testCompatibility("s", SCHEMA))
                .isEqualTo(new CompatibilityResult(false, List.of("field n changed type")));
        assertThat(seen).extracting(s -> s.method() + " " + s.path()).containsExactly(
                "POST /apis/ccompat/v7/subjects/s",
                "GET /apis/ccompat/v7/subjects/s/versions/latest",
                "POST /apis/ccompat/v7/compatibility/subjects/s/versions/latest?verbose=true");
    }

    @Test
    void retriesServerErrorsWithExponentialBackoffThenSucceeds() {
        reply(503, "{\"error_code\":50003,\"message\":\"leader election\"}");
        reply(500, "");
        reply(200, "{\"id\":8}");

        assertThat(client().register("s", SCHEMA)).isEqualTo(8);

        assertThat(seen).hasSize(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void givesUpAfterTheConfiguredRetriesWithTheLastErrorAndCappedBackoff() {
        var thrown = org.assertj.core.api.Assertions.catchThrowableOfType(
                RegistryUnavailableException.class, () -> client().register("s", SCHEMA));

        assertThat(seen).hasSize(4);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(thrown.httpStatus()).isEqualTo(500);
        assertThat(thrown.errorCode()).isEqualTo(50001);
        assertThat(thrown).hasMessageContaining("after 4 attempt(s)").hasMessageContaining("boom")
                .hasMessageContaining("subject 's'");
    }

    @Test
    void conflictBecomesIncompatibleSchemaExceptionWithoutRetrying() {
        reply(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");

        assertThatThrownBy(() -> client().register("orders-value", SCHEMA))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                })
                .hasMessageContaining("incompatible with an earlier schema")
                .hasMessageContaining("orders-value");
        assertThat(seen).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void notFoundBecomesSchemaNotFoundExceptionWithTheErrorCode() {
        reply(404, "{\"error_code\":40403,\"message\":\"Schema 99 not found\"}");

        assertThatThrownBy(() -> client().schemaById(99))
                .isInstanceOfSatisfying(SchemaNotFoundException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaNotFoundException.SCHEMA_NOT_FOUND))
                .hasMessageContaining("Schema 99 not found");
    }

    @Test
    void otherClientErrorsCarryStatusCodeAndMessage() {
        reply(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
        reply(401, "<html>Unauthorized</html>");
        var client = client();

        assertThatThrownBy(() -> client.register("s", SCHEMA))
                .isExactlyInstanceOf(RegistryRequestException.class)
                .hasMessageContaining("HTTP 422, error_code 42201: Invalid schema");
        assertThatThrownBy(() -> client.register("s", SCHEMA))
                .isExactlyInstanceOf(RegistryRequestException.class)
                .hasMessageContaining("HTTP 401: <html>Unauthorized</html>")
                .hasMessageContaining("basic.auth.user.info");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void sendsBasicAuthCredentials() {
        reply(200, "{\"id\":1}");
        client(List.of(baseUrl("")), Optional.of(BasicAuth.parse("alice:s3:cret"))).register("s", SCHEMA);

        assertThat(seen).singleElement().extracting(Seen::authorization)
                .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3:cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void connectionRefusedIsRetriedThenReportedAsUnavailable() throws IOException {
        URI closed = closedPort();
        var client = client(List.of(closed), Optional.empty());

        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasCauseInstanceOf(ConnectException.class)
                .hasMessageContaining("ConnectException")
                .hasMessageContaining("after 4 attempt(s)")
                .hasMessageContaining(closed.toString());
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void failsOverToTheNextUrlAndStaysThere() throws IOException {
        fallback = new Canned(200, "{\"id\":5}");
        var client = client(List.of(closedPort(), baseUrl("")), Optional.empty());

        assertThat(client.register("a", SCHEMA)).isEqualTo(5);
        assertThat(client.register("b", SCHEMA)).isEqualTo(5);

        assertThat(seen).hasSize(2);
        assertThat(sleeps).as("only the failed first attempt waited").hasSize(1);
    }

    @Test
    void nonAvroSchemasAndMalformedRepliesAreClearErrors() {
        reply(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        reply(200, "not json");
        var client = client();

        assertThatThrownBy(() -> client.schemaById(4)).isInstanceOf(NonAvroSchemaException.class)
                .hasMessageContaining("PROTOBUF");
        assertThatThrownBy(() -> client.schemaById(5)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not json");
    }

    private static URI closedPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private static String quoted(String text) {
        return new com.fasterxml.jackson.databind.node.TextNode(text).toString();
    }
}

package io.bitnetstreams.schemas.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over HTTPS with basic auth: trust store from {@code schema.registry.ssl.*}, TLS and credential
 * failures named as such, and no password in any message. The certificate is made by keytool at test time (a
 * throw-away key pair for 127.0.0.1; nothing secret is committed).
 */
class RegistryTlsTest {

    /** Test-only store password of the throw-away stores generated below. */
    private static final String STORE_PASSWORD = "test-only-store-pass";
    private static final String SECRET = "s3cret-registry-pass";

    @TempDir
    static Path dir;
    private static HttpsServer server;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Path serverStore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", serverStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", dir.resolve("registry.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", dir.resolve("registry.pem").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve("trust.p12").toString(), "-storepass", STORE_PASSWORD);

        var tls = new RegistryTls(Optional.empty(), null, null, Optional.of(serverStore), "PKCS12", STORE_PASSWORD,
                Optional.empty(), "TLS");
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
        server.createContext("/", RegistryTlsTest::handle);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void keytool(String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString(("alice:" + SECRET).getBytes(StandardCharsets.UTF_8));
        boolean authorized = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
        String path = exchange.getRequestURI().getPath();
        int status = !authorized ? 401 : path.endsWith("/subjects") || path.endsWith("/schemas/ids/1") ? 200 : 404;
        String body = status == 401 ? "{\"error_code\":401,\"message\":\"Unauthorized\"}"
                : path.endsWith("/subjects") ? "[]"
                : status == 200 ? "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Ping\\\",\\\"fields\\\":[]}\"}"
                : "{\"error_code\":40403,\"message\":\"not found\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, Object> settings(String userInfo, boolean trustStore) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("schema.registry.url", "https://" + userInfo + "@127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7");
        settings.put(SerdeConfig.MAX_RETRIES, "0");
        if (trustStore) {
            settings.put(SerdeConfig.TRUSTSTORE_LOCATION, dir.resolve("trust.p12").toString());
            settings.put(SerdeConfig.TRUSTSTORE_PASSWORD, STORE_PASSWORD);
        }
        return settings;
    }

    private static HttpSchemaRegistryClient client(Map<String, Object> settings) {
        return new HttpSchemaRegistryClient(SerdeConfig.parse(settings).registry());
    }

    @Test
    void httpsWithATrustStoreAndBasicAuthWorks() {
        try (var client = client(settings("alice:" + SECRET, true))) {
            client.checkReachable();
            assertThat(client.schemaById(1).getName()).isEqualTo("Ping");
        }
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsNamedAsATlsFailureWithoutThePassword() {
        try (var client = client(settings("alice:" + SECRET, false))) {
            assertThatThrownBy(client::checkReachable)
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("TLS failure")
                    .hasMessageContaining("schema.registry.ssl.truststore")
                    .hasMessageNotContaining(SECRET);
        }
    }

    @Test
    void refusedCredentialsAreNamedWithoutThePassword() {
        try (var client = client(settings("alice:wrong-" + SECRET, true))) {
            assertThatThrownBy(client::checkReachable)
                    .isInstanceOf(RegistryRequestException.class)
                    .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(401))
                    .hasMessageContaining("basic.auth")
                    .hasMessageNotContaining(SECRET);
        }
    }

    @Test
    void unknownOrUnsupportedTlsKeysAreRefusedNotIgnored() {
        Map<String, Object> typo = settings("alice:" + SECRET, true);
        typo.put("schema.registry.ssl.trustStore.location", "/x");
        assertThatThrownBy(() -> SerdeConfig.parse(typo)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.trustStore.location");
        Map<String, Object> noVerification = settings("alice:" + SECRET, true);
        noVerification.put(SerdeConfig.ENDPOINT_IDENTIFICATION, "");
        assertThatThrownBy(() -> SerdeConfig.parse(noVerification)).hasMessageContaining("subjectAltName");
        Map<String, Object> wrongPassword = settings("alice:" + SECRET, true);
        wrongPassword.put(SerdeConfig.TRUSTSTORE_PASSWORD, "not-" + STORE_PASSWORD);
        assertThatThrownBy(() -> SerdeConfig.parse(wrongPassword)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("trust.p12").hasMessageNotContaining(STORE_PASSWORD);
    }

    @Test
    void badUrlsAreReportedWithoutTheirPassword() {
        assertThatThrownBy(() -> SerdeConfig.parse(Map.of("schema.registry.url", "ftp://alice:" + SECRET + "@host/x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alice:***@").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> SerdeConfig.parse(Map.of("schema.registry.url", "http://alice:" + SECRET + "@ho st/")))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining(SECRET);
        assertThat(Redaction.urls("a http://alice:" + SECRET + "@h:1/p and https://bob@h2 and http://h3/x"))
                .isEqualTo("a http://alice:***@h:1/p and https://bob@h2 and http://h3/x");
    }
}

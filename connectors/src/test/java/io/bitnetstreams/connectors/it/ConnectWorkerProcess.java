package io.bitnetstreams.connectors.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * A Kafka Connect worker in distributed mode ({@code connect-runtime}'s own {@code ConnectDistributed}) as a child
 * JVM, so a test can kill it with SIGKILL like a crashed machine. Its classpath is the test's minus this module's
 * classes: our plugin is loaded from {@code plugin.path} as in production.
 */
final class ConnectWorkerProcess implements AutoCloseable {

    private final Process process;
    private final String restUrl;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private ConnectWorkerProcess(Process process, String restUrl, Path log) {
        this.process = process;
        this.restUrl = restUrl;
        this.log = log;
    }

    static ConnectWorkerProcess start(Map<String, String> workerProps, Path workDir, String name) throws IOException {
        int port = freePort();
        Properties props = new Properties();
        props.putAll(workerProps);
        props.put("listeners", "http://127.0.0.1:" + port);
        Files.createDirectories(workDir);
        Path propsFile = workDir.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(propsFile)) {
            props.store(out, "test worker");
        }
        Path logConfig = workDir.resolve("log4j2.properties");
        Files.writeString(logConfig, String.join("\n",
                "rootLogger.level=INFO", "rootLogger.appenderRef.out.ref=out",
                "appender.out.type=Console", "appender.out.name=out", "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1}: %m%n",
                "logger.kafka.name=org.apache.kafka", "logger.kafka.level=WARN",
                "logger.connect.name=org.apache.kafka.connect.runtime", "logger.connect.level=INFO",
                "logger.reflections.name=org.reflections", "logger.reflections.level=ERROR",
                "logger.hibernate.name=org.hibernate", "logger.hibernate.level=WARN", ""));
        Path log = workDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("bitnet.jvm.args", "").split("\\s+")).stream()
                .filter(arg -> !arg.isBlank()).toList());
        command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + logConfig.toUri(), "-cp", workerClasspath(),
                "org.apache.kafka.connect.cli.ConnectDistributed", propsFile.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        var worker = new ConnectWorkerProcess(process, "http://127.0.0.1:" + port, log);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Connect worker exited: " + Files.readString(log));
            }
            return worker.get("/connectors").statusCode() == 200;
        });
        return worker;
    }

    private static String workerClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("connectors" + File.separator + "target" + File.separator + "classes"))
                .filter(entry -> !entry.contains("connectors" + File.separator + "target" + File.separator + "test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).GET().build());
    }

    HttpResponse<String> put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hooks, no flush, no commit, as when a machine dies. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

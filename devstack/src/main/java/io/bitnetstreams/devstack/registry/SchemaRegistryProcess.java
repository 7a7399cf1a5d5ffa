package io.bitnetstreams.devstack.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry server (the prebuilt 3.3.3 distribution) as a child JVM on loopback, with
 * its Confluent-compatible API at {@link #url()}.
 *
 * <p>The child never outlives us: {@link #stop()} ends it, a JVM shutdown hook ends it when we exit
 * normally, and when this JVM dies without running hooks (SIGKILL, crash) the child's own
 * {@link ParentWatchdog} notices within a fraction of a second and exits.
 *
 * <p>The child's stdout and stderr go to {@link #logFile()} in the work directory; Apicurio logs at
 * WARN except the one startup line that tells us its ports.
 */
public final class SchemaRegistryProcess implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    static final String QUARKUS_MAIN = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryProcess.class);
    private static final Pattern HTTP_PORT = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d{1,5})");
    private static final Pattern MANAGEMENT_PORT =
            Pattern.compile("Management interface listening on http://127\\.0\\.0\\.1:(\\d{1,5})");
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int TAIL_LINES = 40;
    private static final long TAIL_BYTES = 16 * 1024;

    private final SchemaRegistryConfig config;
    private final Process process;
    private final Path workDir;
    private final boolean temporaryWorkDir;
    private final Path logFile;
    private final int port;
    private final int managementPort;
    private final Thread shutdownHook;
    private boolean stopped;

    private SchemaRegistryProcess(SchemaRegistryConfig config, Process process, Path workDir,
                                  boolean temporaryWorkDir, Path logFile, int port, int managementPort,
                                  Thread shutdownHook) {
        this.config = config;
        this.process = process;
        this.workDir = workDir;
        this.temporaryWorkDir = temporaryWorkDir;
        this.logFile = logFile;
        this.port = port;
        this.managementPort = managementPort;
        this.shutdownHook = shutdownHook;
    }

    /** In-memory registry with BACKWARD compatibility in a temporary directory. */
    public static SchemaRegistryProcess startInMemory() {
        return start(SchemaRegistryConfig.inMemory());
    }

    /**
     * Starts the registry and returns once its readiness check answers UP. On failure the child is
     * stopped and the work directory (with {@code registry.log}) is kept for a look.
     */
    public static SchemaRegistryProcess start(SchemaRegistryConfig config) {
        long startNanos = System.nanoTime();
        Path home = config.distribution().map(ApicurioDistribution::home).orElseGet(ApicurioDistribution::home);
        boolean temporary = config.workDir().isEmpty();
        Path workDir = prepareWorkDir(config);
        Path logFile = workDir.resolve("registry.log");
        Process process = launch(config, home, workDir, logFile);
        Thread hook = new Thread(() -> terminate(process), "schema-registry-shutdown-" + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int[] ports = awaitPorts(process, logFile, config.startupTimeout(), startNanos);
            awaitReady(process, logFile, ports[1], config.startupTimeout(), startNanos);
            SchemaRegistryProcess registry = new SchemaRegistryProcess(config, process, workDir, temporary,
                    logFile, ports[0], ports[1], hook);
            log.info("Schema registry (Apicurio {}, {} storage, pid {}) ready at {} in {} ms",
                    ApicurioDistribution.VERSION, config.storage(), process.pid(), registry.url(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return registry;
        } catch (RuntimeException e) {
            terminate(process);
            removeHook(hook);
            throw e;
        }
    }

    private static Path prepareWorkDir(SchemaRegistryConfig config) {
        try {
            Path workDir = config.workDir().isPresent()
                    ? Files.createDirectories(config.workDir().get())
                    : Files.createTempDirectory("bitnet-schema-registry-");
            for (String sub : List.of("tmp", "snapshots", "import", "data", "watchdog")) {
                Files.createDirectories(workDir.resolve(sub));
            }
            installWatchdog(workDir.resolve("watchdog"));
            return workDir.toAbsolutePath();
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot prepare the registry work directory: " + e, e);
        }
    }

    /** Copies the single watchdog class file into a directory that goes on the child's classpath. */
    private static void installWatchdog(Path classesDir) throws IOException {
        String resource = ParentWatchdog.class.getName().replace('.', '/') + ".class";
        Path target = classesDir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = ParentWatchdog.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("class file " + resource + " is not on our classpath");
            }
            Files.write(target, in.readAllBytes());
        }
    }

    static List<String> command(SchemaRegistryConfig config, Path home, Path workDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(config.jvmOptions());
        // quarkus-run.jar's manifest asks for these; they do not apply when started with -cp.
        command.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
        command.add("-Dquarkus.banner.enabled=false");
        // Apicurio logs at WARN except its own and the access log (both INFO by default): quiet them.
        command.add("-Dquarkus.log.level=WARN");
        command.add("-Dquarkus.log.category.\"io.apicurio\".level=WARN");
        command.add("-Dquarkus.log.category.\"io.quarkus.http.access-log\".level=WARN");
        // The one INFO line we need, from logger "io.quarkus":
        // "... started in 2.6s. Listening on: http://127.0.0.1:PORT. Management interface listening on ..."
        command.add("-Dquarkus.log.category.\"io.quarkus\".level=INFO");
        command.add("-cp");
        command.add(home.resolve(ApicurioDistribution.RUN_JAR) + java.io.File.pathSeparator + workDir.resolve("watchdog"));
        command.add(ParentWatchdog.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(QUARKUS_MAIN);
        return command;
    }

    static void configureEnvironment(Map<String, String> env, SchemaRegistryConfig config, Path workDir) {
        // Settings inherited from the caller's shell must not redirect our child elsewhere.
        env.keySet().removeIf(name -> name.startsWith("QUARKUS_") || name.startsWith("APICURIO_"));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", "0");
        env.put("APICURIO_RULES_GLOBAL_COMPATIBILITY", config.compatibility());
        env.put("APICURIO_STORAGE_SNAPSHOT_LOCATION", workDir.resolve("snapshots").toString());
        env.put("APICURIO_IMPORT_WORK_DIR", workDir.resolve("import").toString());
        if (config.storage() == RegistryStorage.FILE) {
            env.put("APICURIO_DATASOURCE_URL", "jdbc:h2:file:" + workDir.resolve("data").resolve("registry"));
        }
        env.putAll(config.environment());
    }

    private static Process launch(SchemaRegistryConfig config, Path home, Path workDir, Path logFile) {
        keepPreviousLog(logFile);
        ProcessBuilder builder = new ProcessBuilder(command(config, home, workDir))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        configureEnvironment(builder.environment(), config, workDir);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            return process;
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot start the registry JVM " + builder.command() + ": " + e, e);
        }
    }

    /** A fresh log per start (its ports are read from it); the previous run's log stays beside it. */
    private static void keepPreviousLog(Path logFile) {
        try {
            if (Files.exists(logFile)) {
                Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".previous"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot rotate the registry log " + logFile + ": " + e, e);
        }
    }

    private static int[] awaitPorts(Process process, Path logFile, Duration timeout, long startNanos) {
        return poll(() -> {
            String text = readLog(logFile);
            OptionalInt http = findPort(HTTP_PORT, text);
            OptionalInt management = findPort(MANAGEMENT_PORT, text);
            if (http.isPresent() && management.isPresent()) {
                return new int[] {http.getAsInt(), management.getAsInt()};
            }
            checkStillStarting(process, logFile, timeout, startNanos, "its listening ports");
            return null;
        }, timeout);
    }

    private static void awaitReady(Process process, Path logFile, int managementPort, Duration timeout, long startNanos) {
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            poll(() -> {
                if (isReady(client, health)) {
                    return Boolean.TRUE;
                }
                checkStillStarting(process, logFile, timeout, startNanos, "ready at " + health);
                return null;
            }, timeout);
        }
    }

    private static boolean isReady(HttpClient client, URI health) {
        try {
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (ConnectException e) {
            return false; // not listening yet
        } catch (IOException e) {
            log.debug("Readiness probe of the registry failed: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting for the registry", e);
        }
    }

    /**
     * Polls {@code step} until it returns a value. The step itself fails with a clear message when the
     * child died or {@code timeout} passed (checkStillStarting); the await bound is only a backstop.
     */
    private static <T> T poll(Callable<T> step, Duration timeout) {
        return Awaitility.await().atMost(timeout.plusSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(POLL_INTERVAL).until(step, Objects::nonNull);
    }

    private static void checkStillStarting(Process process, Path logFile, Duration timeout, long startNanos,
                                           String waitingFor) {
        if (!process.isAlive()) {
            throw new SchemaRegistryException("the registry process exited with code " + process.exitValue()
                    + " before reporting " + waitingFor + ". Last lines of " + logFile + ":\n" + tail(logFile));
        }
        if (System.nanoTime() - startNanos > timeout.toNanos()) {
            throw new SchemaRegistryException("the registry was not " + waitingFor.replaceFirst("^its", "showing its")
                    + " within " + timeout + ". Last lines of " + logFile + ":\n" + tail(logFile));
        }
    }

    static OptionalInt findPort(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            return OptionalInt.empty();
        }
        int port = Integer.parseInt(matcher.group(1));
        return port > 0 && port <= 65_535 ? OptionalInt.of(port) : OptionalInt.empty();
    }

    static OptionalInt findHttpPort(String text) {
        return findPort(HTTP_PORT, text);
    }

    static OptionalInt findManagementPort(String text) {
        return findPort(MANAGEMENT_PORT, text);
    }

    private static String readLog(Path logFile) {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the log, read from at most its last 16 KB. */
    static String tail(Path logFile) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(log unavailable: " + e + ")";
        }
    }


    /** SIGTERM, a bounded wait for a graceful exit, then SIGKILL. */
    private static void terminate(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("The registry (pid {}) ignored SIGTERM for {}; killing it", process.pid(), STOP_GRACE);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs anyway
        }
    }

    /** {@code http://127.0.0.1:PORT/apis/ccompat/v7}: the Confluent-compatible schema registry URL. */
    public String url() {
        return baseUri() + CCOMPAT_PATH;
    }

    /** {@code http://127.0.0.1:PORT}, for Apicurio's own APIs. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    /** Process id of the child JVM. */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public SchemaRegistryConfig config() {
        return config;
    }

    public Path workDir() {
        return workDir;
    }

    /** The child's stdout and stderr (deleted with a temporary work directory on stop). */
    public Path logFile() {
        return logFile;
    }

    /** The last lines the child wrote. */
    public String logTail() {
        return tail(logFile);
    }

    /** Stops the child (SIGTERM, then SIGKILL after 15 s) and waits for it. Safe to call more than once. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        terminate(process);
        removeHook(shutdownHook);
        if (temporaryWorkDir) {
            ApicurioDistribution.deleteTree(workDir);
        }
        log.info("Schema registry (pid {}) stopped", process.pid());
    }

    @Override
    public void close() {
        stop();
    }
}

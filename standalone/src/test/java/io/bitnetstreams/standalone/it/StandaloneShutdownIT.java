package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.standalone.cli.BitnetStreamsCli;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: after SIGTERM, {@code standalone} removes what it created. A real child JVM of the packaged
 * launcher runs {@code standalone --keep-running} with its own {@code java.io.tmpdir}; once the stack is up (its
 * broker, registry and Streams directories exist there), it gets SIGTERM, and afterwards that temporary directory
 * must be empty: no broker logs, no registry storage, no Streams state, no extracted RocksDB library.
 */
class StandaloneShutdownIT {

    private static final Path RUNTIME_JAR = Path.of("target", "bitnet-standalone.jar").toAbsolutePath();
    private static final Path RUNTIME_LIB = Path.of("target", "lib").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void sigtermRemovesTheRunsTemporaryDirectories() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path input = dir.resolve("one.jsonl");
        Files.writeString(input, "{\"id\": \"one\", \"task\": \"classify\", \"text\": \"refund please\","
                + " \"labels\": [\"billing\", \"shipping\"]}\n");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(System.getProperty("bitnet.jvm.args", "--add-modules jdk.incubator.vector").trim()
                .split("\\s+")));
        command.addAll(List.of("-Djava.io.tmpdir=" + tmp,
                "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
                "-cp", RUNTIME_JAR + File.pathSeparator + RUNTIME_LIB + File.separator + "*",
                BitnetStreamsCli.class.getName(), "standalone", "--input", input.toString(), "--synthetic",
                "--no-download", "--model-cache", dir.resolve("models").toString(), "--threads", "1",
                "--timeout", "4m", "--keep-running"));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            Awaitility.await("standalone is up and keeps running").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !process.isAlive() || read(out).contains("stack running"));
            assertThat(process.isAlive()).as("stdout:%n%s%nstderr:%n%s", read(out), read(err)).isTrue();
            List<String> during = names(tmp);
            // the run's own directory (broker, registry, streams below it) and the registry's temporary files
            assertThat(during).as("temporary files while running").anyMatch(name -> name.startsWith("bitnet-standalone-"));
            Path runDir = tmp.resolve(during.stream().filter(name -> name.startsWith("bitnet-standalone-")).findFirst()
                    .orElseThrow());
            assertThat(names(runDir)).contains("kafka", "registry", "streams");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("exited after SIGTERM; stderr:%n%s", read(err)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(names(tmp)).as("left in java.io.tmpdir after SIGTERM; stderr:%n%s", read(err)).isEmpty();
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}

package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.standalone.it.PackagedLauncher.Launched;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @TempDir
    Path dir;

    @Test
    void sigtermRemovesTheRunsTemporaryDirectories() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path input = dir.resolve("one.jsonl");
        Files.writeString(input, "{\"id\": \"one\", \"task\": \"classify\", \"text\": \"refund please\","
                + " \"labels\": [\"billing\", \"shipping\"]}\n");
        Launched run = PackagedLauncher.start(dir.resolve("stdout.txt"), dir.resolve("stderr.txt"),
                List.of("-Djava.io.tmpdir=" + tmp, PackagedLauncher.TEST_LOG_CONFIG),
                List.of("standalone", "--input", input.toString(), "--synthetic", "--no-download", "--model-cache",
                        dir.resolve("models").toString(), "--threads", "1", "--timeout", "4m", "--keep-running"));
        Process process = run.process();
        try {
            Awaitility.await("standalone is up and keeps running").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !process.isAlive() || run.stdout().contains("stack running"));
            assertThat(process.isAlive()).as("stdout:%n%s%nstderr:%n%s", run.stdout(), run.stderr()).isTrue();
            List<String> during = names(tmp);
            // the run's own directory (broker, registry, streams below it) and the registry's temporary files
            assertThat(during).as("temporary files while running").anyMatch(name -> name.startsWith("bitnet-standalone-"));
            Path runDir = tmp.resolve(during.stream().filter(name -> name.startsWith("bitnet-standalone-")).findFirst()
                    .orElseThrow());
            assertThat(names(runDir)).contains("kafka", "registry", "streams");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("exited after SIGTERM; stderr:%n%s", run.stderr()).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(names(tmp)).as("left in java.io.tmpdir after SIGTERM; stderr:%n%s", run.stderr()).isEmpty();
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}

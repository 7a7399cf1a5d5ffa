package io.bitnetstreams.chaos.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.chaos.cli.ChaosMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitnet-streams chaos} for real, from the packaged jar in a child JVM as the launcher runs it: the whole cluster
 * as processes (controller, 3 brokers, registry, 2 topology instances and 3 workers from the launcher's target/lib),
 * every fault kind, and the verdict. The default build sends {@code chaos.requests} (400) requests; {@code -Pchaos}
 * sends 10,000.
 */
class ChaosIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path RUNTIME_JAR = Path.of("target", "bitnet-chaos.jar").toAbsolutePath();
    private static final Path RUNTIME_LIB = Path.of("target", "lib").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void everyRequestIsAnsweredExactlyOnceThroughWorkerTopologyBrokerAndRegistryFaults() throws Exception {
        int requests = Integer.getInteger("chaos.requests", 400);
        String rate = System.getProperty("chaos.rate", "10");
        // the run makes its own directory under this one, and must remove it
        Path tmp = java.nio.file.Files.createDirectories(dir.resolve("tmp"));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(System.getProperty("bitnet.jvm.args", "--add-modules jdk.incubator.vector").trim().split("\\s+")));
        command.addAll(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
                "-cp", RUNTIME_JAR + File.pathSeparator + RUNTIME_LIB + File.separator + "*", ChaosMain.class.getName(),
                "chaos", "--requests", Integer.toString(requests), "--rate", rate, "--seed", "42", "--faults", "all",
                "--launcher-dir", System.getProperty("bitnet.launcher.dir", "../launcher/target"),
                "--progress-interval", "20"));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        // generous: at load average 30-50 (a shared machine) 400-600 requests took 9 to 20+ minutes
        long minutes = 30 + requests / 1000L * 3;
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        String logs = "stdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err);
        int exit = process.isAlive() ? -1 : process.exitValue();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).as(logs).isNotEmpty();
        JsonNode verdict = MAPPER.readTree(lines.getLast());
        assertThat(verdict.get("requests").asInt()).as(logs).isEqualTo(requests);
        assertThat(verdict.get("lost").asInt()).as(logs).isZero();
        assertThat(verdict.get("duplicated").asInt()).as(logs).isZero();
        assertThat(verdict.get("mismatched").asInt()).as(logs).isZero();
        assertThat(verdict.get("unexpected").asInt()).as(logs).isZero();
        assertThat(verdict.get("results").asInt() + verdict.get("dead_letters").asInt()).as(logs).isEqualTo(requests);
        assertThat(verdict.get("dead_letters").asInt()).as(logs).isPositive();
        List<String> faults = new ArrayList<>();
        verdict.get("faults").forEach(f -> faults.add(f.asText()));
        assertThat(faults).as(logs).hasSize(6);
        assertThat(faults.stream().filter(f -> f.startsWith("worker-kill:"))).as(logs).hasSize(3);
        assertThat(faults).as(logs).anyMatch(f -> f.startsWith("topology-kill:")).anyMatch(f -> f.startsWith("broker-restart:"))
                .anyMatch(f -> f.startsWith("registry-restart"));
        assertThat(exit).as(logs).isZero();
        assertThat(Files.readString(err)).contains("chaos: final verifier");
        // nothing left behind: every process of the run had its directory on its command line, and it is gone
        List<String> leftovers = ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("")).filter(line -> line.contains(tmp.toString())).toList();
        assertThat(leftovers).as(logs).isEmpty();
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).as(logs).isEmpty();
        }
    }
}

package io.bitnetstreams.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.loadtest.cli.LoadtestMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bitnet-streams loadtest} for real, from the packaged jar in a child JVM as the launcher runs it: a 20-second
 * Poisson load with a task mix on a tiny synthetic model, against a stack it starts itself (broker, registry, topology)
 * with one worker process. The report must account for every request and hold together.
 */
class LoadtestIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path RUNTIME_JAR = Path.of("target", "bitnet-loadtest.jar").toAbsolutePath();
    private static final Path RUNTIME_LIB = Path.of("target", "lib").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aTwentySecondLoadGivesAConsistentReport() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModelWriter.write(SyntheticSpec.preset("tiny", GgmlType.I2_S, 1), Vocabulary.byteLevel(), model);
        Path report = dir.resolve("report");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(System.getProperty("bitnet.jvm.args", "--add-modules jdk.incubator.vector").trim().split("\\s+")));
        command.addAll(List.of("-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
                "-cp", RUNTIME_JAR + File.pathSeparator + RUNTIME_LIB + File.separator + "*", LoadtestMain.class.getName(),
                "loadtest", "--model", model.toString(), "--rate", "2", "--duration", "20s", "--workers", "1", "--threads", "1",
                "--mix", "classify=80,extract=15,generate=5", "--lengths", "32", "--max-tokens", "4", "--warmup", "1",
                "--drain-timeout", "3m", "--progress-interval", "10s", "--report-dir", report.toString()));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(9, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        int exit = process.isAlive() ? -1 : process.exitValue();
        String logs = "stdout:%n" + Files.readString(out) + "%nstderr:%n" + Files.readString(err);
        assertThat(exit).as(logs).isZero();

        JsonNode json = MAPPER.readTree(report.resolve("report.json").toFile());
        JsonNode run = json.get("levels").get(0).get("main");
        JsonNode counts = run.get("counts");
        int sent = counts.get("sent").asInt();
        // about 40 requests in 20 s at 2/s (Poisson)
        assertThat(sent).as(logs).isBetween(20, 70);
        assertThat(counts.get("missing").asInt()).isZero();
        assertThat(counts.get("notSent").asInt()).isZero();
        int results = counts.get("done").asInt() + counts.get("partial").asInt() + counts.get("failed").asInt();
        assertThat(results + counts.get("deadLetters").asInt()).isEqualTo(sent);
        assertThat(counts.get("done").asInt()).isPositive();

        JsonNode latency = run.get("latency");
        for (String measure : List.of("endToEnd", "service", "queue", "engine", "minusEngine", "overhead")) {
            JsonNode p = latency.get(measure);
            assertThat(p.get("count").asLong()).as(measure).isPositive();
            assertThat(List.of(p.get("p50").asDouble(), p.get("p90").asDouble(), p.get("p99").asDouble(), p.get("p999").asDouble(),
                    p.get("max").asDouble())).as(measure).isSorted();
        }
        assertThat(latency.get("endToEnd").get("count").asInt()).isEqualTo(results);
        // end to end includes the engine's share
        assertThat(latency.get("endToEnd").get("max").asDouble()).isGreaterThanOrEqualTo(latency.get("engine").get("max").asDouble());
        assertThat(run.get("documentsPerSecond").asDouble()).isPositive();
        assertThat(run.get("samples").size()).isGreaterThan(10);
        assertThat(run.get("workerStats").size()).isEqualTo(1);
        assertThat(run.get("workerStats").elements().next().get("maxRssMb").asDouble()).isPositive();
        // CPU by thread group: the worker's engine scheduler thread ran inference, and the stack JVM is broken down too
        JsonNode workerThreads = run.get("workerStats").elements().next().get("threadCpuPercent");
        assertThat(workerThreads.path("bitnet-schedule").asDouble()).as(workerThreads.toString()).isPositive();
        assertThat(run.get("stackStats").elements().next().get("threadCpuPercent").size()).isGreaterThan(5);

        for (String chart : List.of("1-worker-latency.png", "1-worker-throughput.png", "1-worker-lag.png", "1-worker-cpu.png",
                "1-worker-rss.png", "latency-cdf.png")) {
            assertThat(Files.readAllBytes(report.resolve("charts").resolve(chart))).as(chart).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(Files.readAllLines(report.resolve("requests").resolve("1-worker.csv"))).hasSize(sent + 1);
        assertThat(Files.readString(report.resolve("report.md"))).contains("# Load test report", "charts/latency-cdf.png");
        assertThat(Files.readString(out)).contains("1 worker: open loop, Poisson 2.000 req/s, 20 s", "sent " + sent + ":");
        assertThat(Files.readString(err)).contains("[1 worker]");
    }

    /** SIGTERM (what Ctrl-C and a CI timeout send) mid-run stops the worker processes and the registry it started. */
    @Test
    void aStoppedLoadTestLeavesNoProcessBehind() throws Exception {
        Path model = dir.resolve("tiny-stop.gguf");
        SyntheticModelWriter.write(SyntheticSpec.preset("tiny", GgmlType.I2_S, 1), Vocabulary.byteLevel(), model);
        Path err = dir.resolve("stop-stderr.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(System.getProperty("bitnet.jvm.args", "--add-modules jdk.incubator.vector").trim().split("\\s+")));
        command.addAll(List.of("-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
                "-cp", RUNTIME_JAR + File.pathSeparator + RUNTIME_LIB + File.separator + "*", LoadtestMain.class.getName(),
                "loadtest", "--model", model.toString(), "--rate", "2", "--duration", "5m", "--workers", "1", "--threads", "1",
                "--mix", "classify=100", "--lengths", "32", "--warmup", "1", "--progress-interval", "1s",
                "--report-dir", dir.resolve("stop-report").toString()));
        Process process = new ProcessBuilder(command).redirectOutput(dir.resolve("stop-stdout.txt").toFile())
                .redirectError(err.toFile()).start();
        List<ProcessHandle> children = List.of();
        try {
            // a run is under way (the warm-up): the worker process and the registry are up
            Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !process.isAlive() || Files.readString(err).contains("run 'warm-up 1w'"));
            assertThat(process.isAlive()).as(Files.readString(err)).isTrue();
            children = process.descendants().toList();
            assertThat(children).as("worker and registry processes").hasSizeGreaterThanOrEqualTo(2);

            process.destroy();
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("the load test ends after SIGTERM").isTrue();
            List<ProcessHandle> started = children;
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(started.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::info)
                            .map(info -> info.commandLine().orElse("?")).toList()).as("processes left running").isEmpty());
        } finally {
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}

package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.worker.executor.KeywordWorkExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker in a child JVM is SIGKILLed mid-stream and restarted, then stopped with SIGTERM (exit 0); the
 * committed results hold exactly one result per work item.
 */
@WithKafka
@WithSchemaRegistry
class WorkerProcessIT {

    @TempDir
    Path logs;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void sigkillLosesNothingAndSigtermExitsZero(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) throws Exception {
        KafkaFixture fixture = new KafkaFixture(kafka, registry, 6);
        fixture.produce(ExactlyOnceIT.items(0, 500));

        // The child (slow executor) starts alone so it surely gets work; the fast in-JVM worker joins later.
        Process doomed = startChild(fixture, "p1", "first");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> alive(doomed, "first") && resultsBy(fixture, "p1") >= 20);
        WorkerService steady = fixture.startWorker("in-jvm", new KeywordWorkExecutor(1, 16, 4));
        await().atMost(Duration.ofSeconds(30)).until(() -> !steady.assignment().isEmpty());
        doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no abort, no leave-group
        assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resultsBy(fixture, "p1")).isLessThan(500);

        Process restarted = startChild(fixture, "p1", "second");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> alive(restarted, "second") && fixture.committedResults().size() >= 500);

        // the fast in-JVM worker may finish the rest alone: SIGTERM only once the restarted child runs its loop (on a
        // busy machine its start-up can take longer than that, and a JVM killed before it handles SIGTERM exits 143)
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> alive(restarted, "second") && log("second").contains("consuming"));
        restarted.destroy(); // SIGTERM
        assertThat(restarted.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(restarted.exitValue()).as("exit status after SIGTERM; log:%n%s", log("second")).isZero();
        fixture.stopAll();
        assertThat(steady.fatalError()).isNull();

        List<WorkResult> results = fixture.committedResults();
        Map<String, Long> perRequest = results.stream().collect(Collectors.groupingBy(WorkResult::getRequestId, Collectors.counting()));
        assertThat(perRequest).hasSize(500);
        assertThat(perRequest.values()).allMatch(count -> count == 1L);
    }

    private Process startChild(KafkaFixture fixture, String instanceId, String logName) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "--add-modules", "jdk.incubator.vector",
                "--sun-misc-unsafe-memory-access=allow",
                "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
                "-cp", System.getProperty("java.class.path"), WorkerProcessMain.class.getName(),
                "--model", "delayed", "--tasks", "classify", "--instance-id", instanceId, "--queue", "4",
                "--bootstrap-servers", fixture.kafka.bootstrapServers(), "--schema-registry-url", fixture.registry.url(),
                "--http-port", "-1"));
        Map.of("bitnet.topic.work.classify", fixture.workTopic, "bitnet.topic.work.results", fixture.resultsTopic, "bitnet.topic.dlq", fixture.deadLetterTopic,
                "bitnet.topic.results.classification", fixture.finalResultsTopic, "group.id", fixture.group, "bitnet.commit.interval.ms", "100", "session.timeout.ms", "6000", "heartbeat.interval.ms", "500",
                "bitnet.shutdown.grace.ms", "5000").forEach((k, v) -> {
                    command.add("--set");
                    command.add(k + "=" + v);
                });
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logs.resolve(logName + ".log").toFile()).start();
        processes.add(process);
        return process;
    }

    /** True while the child runs; its log as the failure when it died. */
    private boolean alive(Process process, String logName) {
        if (!process.isAlive()) {
            throw new AssertionError("worker process exited with " + process.exitValue() + "; log:\n" + log(logName));
        }
        return true;
    }

    private String log(String name) {
        try {
            return Files.readString(logs.resolve(name + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long resultsBy(KafkaFixture fixture, String workerId) {
        return fixture.committedResults().stream().filter(r -> r.getWorkerId().equals(workerId)).count();
    }
}

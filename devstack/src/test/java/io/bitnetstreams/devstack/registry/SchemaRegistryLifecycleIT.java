package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, stop, persistence and the no-orphan guarantees of the registry child process. */
class SchemaRegistryLifecycleIT {

    @Test
    void stopLeavesNoChildProcessAndFileStorageSurvivesARestart(@TempDir Path workDir) throws Exception {
        long pid;
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.start(SchemaRegistryConfig.persistentIn(workDir))) {
            pid = registry.pid();
            assertThat(ProcessHandle.current().children().map(ProcessHandle::pid)).contains(pid);
            assertThat(RegistryHttp.register(registry.url(), "kept-value", SchemaRegistryIT.PROMPT_V1).status())
                    .isEqualTo(200);
            registry.stop();
            assertThat(registry.isRunning()).isFalse();
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid)).doesNotContain(pid);

        try (SchemaRegistryProcess again = SchemaRegistryProcess.start(SchemaRegistryConfig.persistentIn(workDir))) {
            assertThat(RegistryHttp.get(again.url(), "/subjects").body().toString()).contains("kept-value");
        }
    }

    @Test
    void registryDiesWithItsParentEvenWhenTheParentIsKilled(@TempDir Path workDir) throws Exception {
        Process parent = new ProcessBuilder(javaCommandFor(RegistryParentMain.class, workDir.toString()))
                .redirectErrorStream(true)
                .start();
        try {
            long registryPid = readRegistryPid(parent);
            ProcessHandle registry = ProcessHandle.of(registryPid).orElseThrow();
            assertThat(registry.isAlive()).isTrue();

            parent.destroyForcibly(); // SIGKILL: the parent's shutdown hook never runs
            assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !registry.isAlive());
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void failedStartReportsTheTailOfTheChildLog(@TempDir Path workDir) {
        SchemaRegistryConfig broken = SchemaRegistryConfig.builder()
                .workDir(workDir)
                .jvmOptions(List.of("-XX:+NoSuchBitnetOption"))
                .startupTimeout(Duration.ofSeconds(30))
                .build();
        assertThatThrownBy(() -> SchemaRegistryProcess.start(broken))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("NoSuchBitnetOption");
    }

    private static long readRegistryPid(Process parent) throws Exception {
        List<String> output = new ArrayList<>();
        CompletableFuture<Optional<Long>> pid = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(RegistryParentMain.PID_PREFIX)) {
                        return Optional.of(Long.parseLong(line.substring(RegistryParentMain.PID_PREFIX.length())));
                    }
                    output.add(line);
                }
                return Optional.empty();
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        });
        Optional<Long> found = pid.get(120, TimeUnit.SECONDS);
        assertThat(found).as("registry pid from the parent; its output was:%n%s", String.join("\n", output)).isPresent();
        return found.get();
    }

    private static List<String> javaCommandFor(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        String logConfig = System.getProperty("log4j2.configurationFile");
        if (logConfig != null) {
            command.add("-Dlog4j2.configurationFile=" + logConfig);
        }
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }
}

package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryProcessTest {

    private static final String STARTED_LINE = "2026-11+00-21 04:58:48 INFO [io.quarkus.bootstrap.runner.Timing] (main)"
            + " apicurio-registry-app 3.3.3 on JVM (powered by Quarkus 3.33.3.1) started in 2.611s."
            + " Listening on: http://127.0.0.1:45619. Management interface listening on http://127.0.0.1:38609.";

    @Test
    void portsAreReadFromTheStartupLine() {
        assertThat(SchemaRegistryProcess.findHttpPort("noise\n" + STARTED_LINE + "\n")).hasValue(45619);
        assertThat(SchemaRegistryProcess.findManagementPort(STARTED_LINE)).hasValue(38609);
    }

    @Test
    void missingOrInvalidPortsAreNotFound() {
        assertThat(SchemaRegistryProcess.findHttpPort("Installed features: [cdi]")).isEmpty();
        assertThat(SchemaRegistryProcess.findHttpPort("Listening on: http://127.0.0.1:99999.")).isEmpty();
        assertThat(SchemaRegistryProcess.findHttpPort("Listening on: http://0.0.0.0:8080.")).isEmpty();
    }

    @Test
    void environmentDropsInheritedSettingsAndPinsLoopbackAndFreePorts() {
        Map<String, String> env = new HashMap<>(Map.of(
                "PATH", "/usr/bin",
                "QUARKUS_HTTP_PORT", "8080",
                "APICURIO_STORAGE_KIND", "kafkasql"));
        Path workDir = Path.of("/work/reg");
        SchemaRegistryProcess.configureEnvironment(env, SchemaRegistryConfig.inMemory(), workDir);

        assertThat(env)
                .containsEntry("PATH", "/usr/bin")
                .containsEntry("QUARKUS_HTTP_HOST", "127.0.0.1")
                .containsEntry("QUARKUS_HTTP_PORT", "0")
                .containsEntry("QUARKUS_MANAGEMENT_HOST", "127.0.0.1")
                .containsEntry("QUARKUS_MANAGEMENT_PORT", "0")
                .containsEntry("APICURIO_RULES_GLOBAL_COMPATIBILITY", "BACKWARD")
                .containsEntry("APICURIO_STORAGE_SNAPSHOT_LOCATION", workDir.resolve("snapshots").toString())
                .containsEntry("APICURIO_IMPORT_WORK_DIR", workDir.resolve("import").toString())
                .doesNotContainKeys("APICURIO_STORAGE_KIND", "APICURIO_DATASOURCE_URL");
    }

    @Test
    void fileStoragePointsH2IntoTheWorkDirectory() {
        Map<String, String> env = new HashMap<>();
        Path workDir = Path.of("/work/reg");
        SchemaRegistryProcess.configureEnvironment(env, SchemaRegistryConfig.persistentIn(workDir), workDir);
        assertThat(env).containsEntry("APICURIO_DATASOURCE_URL", "jdbc:h2:file:/work/reg/data/registry");
    }

    @Test
    void childRunsUnderTheWatchdogOfThisJvm() {
        List<String> command = SchemaRegistryProcess.command(SchemaRegistryConfig.inMemory(),
                Path.of("/opt/apicurio"), Path.of("/work/reg"));
        int watchdog = command.indexOf(ParentWatchdog.class.getName());
        assertThat(watchdog).isPositive();
        assertThat(command.get(watchdog + 1)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(command.get(watchdog + 2)).isEqualTo(SchemaRegistryProcess.QUARKUS_MAIN);
        assertThat(command.get(command.indexOf("-cp") + 1))
                .isEqualTo("/opt/apicurio/quarkus-run.jar:/work/reg/watchdog");
        assertThat(command).contains("-Djava.io.tmpdir=/work/reg/tmp");
    }

    @Test
    void tailKeepsTheLastLines(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("registry.log");
        Files.writeString(log, IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i)
                .collect(Collectors.joining("\n")));
        List<String> tail = SchemaRegistryProcess.tail(log).lines().toList();
        assertThat(tail).hasSize(40).startsWith("line 61").endsWith("line 100");
    }

    @Test
    void tailOfAMissingLogSaysSo(@TempDir Path dir) {
        assertThat(SchemaRegistryProcess.tail(dir.resolve("absent.log"))).startsWith("(log unavailable");
    }
}

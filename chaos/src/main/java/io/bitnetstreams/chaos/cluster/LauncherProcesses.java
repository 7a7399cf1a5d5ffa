package io.bitnetstreams.chaos.cluster;

import io.bitnetstreams.devstack.process.ChildJvm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Command lines of the pipeline's own processes: topology instances and workers, each a JVM running the production
 * launcher ({@code io.bitnetstreams.launcher.LauncherCli}) from the launcher module's packaged jar and
 * {@code target/lib}, the classpath the container image copies (no test or broker jars).
 */
public final class LauncherProcesses {

    public static final String MAIN_CLASS = "io.bitnetstreams.launcher.LauncherCli";
    public static final String JAR = "bitnet-launcher.jar";
    private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    private final Path launcherDir;
    private final Path logDir;
    private final String bootstrapServers;
    private final String registryUrl;
    private final List<String> jvmOptions;

    /** {@code launcherDir}: the launcher module's {@code target} (holding {@value #JAR} and {@code lib/}). */
    public LauncherProcesses(Path launcherDir, Path logDir, String bootstrapServers, String registryUrl) {
        if (!Files.isRegularFile(launcherDir.resolve(JAR)) || !Files.isDirectory(launcherDir.resolve("lib"))) {
            throw new IllegalArgumentException("no packaged launcher in " + launcherDir + " (" + JAR
                    + " and lib/): build it with ./mvnw -pl launcher -am package");
        }
        this.launcherDir = launcherDir.toAbsolutePath();
        this.logDir = logDir;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xss512k"));
        // names the run on the command line, as the brokers' and the registry's paths do: leftovers can be found
        Path runDir = logDir.toAbsolutePath().getParent();
        options.add("-Dbitnet.chaos.dir=" + runDir);
        // RocksDB's native library and other temporary files of a SIGKILLed process stay in the run's directory
        options.add("-Djava.io.tmpdir=" + createDirectories(runDir.resolve("tmp")));
        // the repository's logging config, as bin/bitnet-streams uses it
        Path log4j = this.launcherDir.resolve("../../config/log4j2.xml").normalize();
        if (Files.isRegularFile(log4j)) {
            options.add("-Dlog4j2.configurationFile=" + log4j);
        }
        this.jvmOptions = List.copyOf(options);
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Path launcherDir() {
        return launcherDir;
    }

    /** A topology instance ({@code bitnet-streams topology}); {@code settings} are its {@code --set}s. */
    public ChildProcess topology(String name, Path model, Path stateDir, Map<String, String> settings) {
        List<String> args = new ArrayList<>(List.of("topology", "--bootstrap-servers", bootstrapServers,
                "--schema-registry", registryUrl, "--model", model.toString(), "--http-port", "0",
                "--set", "state.dir=" + stateDir));
        settings.forEach((key, value) -> args.addAll(List.of("--set", key + "=" + value)));
        return process(name, List.of("-Xmx384m", C1_ONLY), args);
    }

    /**
     * A worker ({@code bitnet-streams worker}) with a stable instance id (its transactional id: a restarted worker
     * fences the one it replaces); {@code model} is a model file or {@code keyword}.
     */
    public ChildProcess worker(String instanceId, String model, String tasks, Map<String, String> settings) {
        List<String> args = new ArrayList<>(List.of("worker", "--model", model, "--tasks", tasks, "--threads", "1",
                "--instance-id", instanceId, "--bootstrap-servers", bootstrapServers, "--schema-registry", registryUrl,
                "--http-port", "0"));
        settings.forEach((key, value) -> args.addAll(List.of("--set", key + "=" + value)));
        // the engine's Vector API kernels need C2; the keyword stand-in starts faster without it
        List<String> jvm = "keyword".equals(model) ? List.of("-Xmx256m", C1_ONLY) : List.of("-Xmx512m");
        return process(instanceId, jvm, args);
    }

    private ChildProcess process(String name, List<String> extraJvm, List<String> args) {
        List<String> command = ChildJvm.java(List.of(), jvmOptions);
        command.addAll(extraJvm);
        command.addAll(List.of("-cp", launcherDir.resolve(JAR) + File.pathSeparator + launcherDir.resolve("lib") + File.separator + "*",
                MAIN_CLASS));
        command.addAll(args);
        return new ChildProcess(name, command, Map.of(), logDir);
    }
}

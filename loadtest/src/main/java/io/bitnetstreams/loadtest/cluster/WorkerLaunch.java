package io.bitnetstreams.loadtest.cluster;

import io.bitnetstreams.devstack.process.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of one worker process: a child JVM running the production {@code worker} entry point of the
 * pipeline CLI, with this JVM's classpath and module flags. The one place that names the entry point.
 */
public final class WorkerLaunch {

    /** The pipeline CLI; its {@code worker} subcommand is what a deployment runs. */
    static final String MAIN_CLASS = "io.bitnetstreams.standalone.cli.BitnetStreamsCli";
    static final String SUBCOMMAND = "worker";

    /** JVM options of this JVM a worker inherits beyond the modules and native access: the logging config. */
    private static final List<String> ALSO_INHERITED = List.of("-Dlog4j2.configurationFile", "-Dbitnet.shared.dir");

    private WorkerLaunch() {
    }

    /**
     * One worker's settings.
     *
     * @param instanceId   its instance id (hence its transactional id): unique per process
     * @param model        model file
     * @param threads      inference threads
     * @param batch        most sequences the engine batches
     * @param settings     further worker config keys ({@code --set key=value}), e.g. topics and commit interval
     * @param jvmOptions   extra JVM options (heap, collector)
     * @param configFile   the user's settings ({@code --config}; may hold secrets, so a file, not the command line),
     *                     or null
     */
    public record Spec(String instanceId, Path model, int threads, int batch, String bootstrapServers, String registryUrl,
                       Map<String, String> settings, List<String> jvmOptions, Path configFile) {
    }

    public static List<String> command(Spec spec) {
        List<String> command = new ArrayList<>(ChildJvm.java(ALSO_INHERITED, spec.jvmOptions()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add(SUBCOMMAND);
        command.addAll(List.of("--model", spec.model().toAbsolutePath().toString(),
                "--threads", Integer.toString(spec.threads()),
                "--batch", Integer.toString(spec.batch()),
                "--instance-id", spec.instanceId(),
                "--bootstrap-servers", spec.bootstrapServers(),
                "--schema-registry-url", spec.registryUrl(),
                "--http-port", "0"));
        if (spec.configFile() != null) {
            command.addAll(List.of("--config", spec.configFile().toAbsolutePath().toString()));
        }
        spec.settings().forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        return command;
    }
}

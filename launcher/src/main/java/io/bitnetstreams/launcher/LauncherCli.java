package io.bitnetstreams.launcher;

import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.engine.cli.PullCommand;
import io.bitnetstreams.launcher.cli.SubmitCommand;
import io.bitnetstreams.launcher.client.SubmitConfig;
import io.bitnetstreams.topology.cli.TopologyCommand;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.worker.cli.WorkerCommand;
import io.bitnetstreams.worker.config.WorkerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bitnet-streams} in production: {@code topology}, {@code worker}, {@code submit} and {@code pull} on a
 * classpath without test or broker artifacts (the launcher module's enforcer rule keeps it so). The standalone
 * module's CLI registers the same commands next to {@code standalone} and {@code loadtest}.
 */
@Command(name = "bitnet-streams", mixinStandardHelpOptions = true, version = "bitnet-streams 0.1.0",
        description = "The bitnet-streams pipeline: Kafka Streams routing text-AI requests to CPU-only BitNet workers.")
public final class LauncherCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand");
    }

    /** The production command line. */
    public static CommandLine commandLine() {
        return register(new CommandLine(new LauncherCli()));
    }

    /**
     * Adds the production subcommands to {@code root}, each documenting its configuration in {@code --help}; the
     * worker runs model files on the BitNet engine.
     */
    public static CommandLine register(CommandLine root) {
        root.addSubcommand("topology", new TopologyCommand());
        root.addSubcommand("worker", new WorkerCommand());
        root.addSubcommand("submit", new SubmitCommand());
        root.addSubcommand("pull", new PullCommand());
        ConfigOptions.document(root.getSubcommands().get("topology"), TopologyConfig.KEYS);
        ConfigOptions.document(root.getSubcommands().get("worker"), WorkerConfig.KEYS);
        ConfigOptions.document(root.getSubcommands().get("submit"), SubmitConfig.KEYS);
        return root;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

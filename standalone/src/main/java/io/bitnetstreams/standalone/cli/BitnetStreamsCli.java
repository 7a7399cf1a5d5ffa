package io.bitnetstreams.standalone.cli;

import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.launcher.LauncherCli;
import io.bitnetstreams.standalone.run.StandaloneRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bitnet-streams} for development: {@code standalone} (the whole pipeline in one JVM, with the embedded
 * broker and registry of the devstack) and {@code loadtest}, plus the production commands of the launcher
 * ({@code topology}, {@code worker}, {@code submit}, {@code pull}), the very same command classes.
 */
@Command(name = "bitnet-streams", mixinStandardHelpOptions = true, version = "bitnet-streams 0.1.0",
        description = "The bitnet-streams pipeline: Kafka Streams routing text-AI requests to CPU-only BitNet workers.",
        subcommands = {StandaloneCommand.class, LoadtestCommand.class})
public final class BitnetStreamsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand");
    }

    /** The command line with every subcommand registered; the worker runs model files on the BitNet engine. */
    public static CommandLine commandLine() {
        CommandLine commandLine = LauncherCli.register(new CommandLine(new BitnetStreamsCli()));
        ConfigOptions.document(commandLine.getSubcommands().get("standalone"), StandaloneRun.KEYS);
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

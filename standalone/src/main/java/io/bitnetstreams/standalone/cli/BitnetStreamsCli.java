package io.bitnetstreams.standalone.cli;

import io.bitnetstreams.topology.cli.TopologyCommand;
import io.bitnetstreams.worker.cli.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bitnet-streams}: the pipeline CLI (standalone, topology, worker, submit, loadtest). */
@Command(name = "bitnet-streams", mixinStandardHelpOptions = true, version = "bitnet-streams 0.1.0",
        description = "The bitnet-streams pipeline: Kafka Streams routing text-AI requests to CPU-only BitNet workers.",
        subcommands = {StandaloneCommand.class, TopologyCommand.class, SubmitCommand.class, LoadtestCommand.class})
public final class BitnetStreamsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand");
    }

    /** The command line with every subcommand registered; the worker runs model files on the BitNet engine. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BitnetStreamsCli());
        commandLine.addSubcommand("worker", new WorkerCommand());
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

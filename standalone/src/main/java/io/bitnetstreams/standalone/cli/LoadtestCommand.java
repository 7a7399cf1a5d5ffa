package io.bitnetstreams.standalone.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest}: the load generator lives in module {@code loadtest}, which depends on this one (its worker
 * processes run this CLI); {@code bin/bitnet-streams loadtest} starts it. This entry only lists it in the help.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = "Drive the pipeline with a measured load and write a latency/throughput/scaling report"
                + " (run it as: bin/bitnet-streams loadtest --help).")
final class LoadtestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("loadtest: run it with bin/bitnet-streams loadtest (main class"
                + " io.bitnetstreams.loadtest.cli.LoadtestMain of module loadtest); see bin/bitnet-streams loadtest --help");
        return 2;
    }
}

package io.bitnetstreams.standalone.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code loadtest}: reserved for the load generator (module loadtest), which is not implemented yet. */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = "Generate load against a running pipeline and report throughput (not implemented yet).")
final class LoadtestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("loadtest: not implemented yet (module loadtest). For a measured run on"
                + " the bundled sample use: bin/bitnet-streams standalone --report report.json");
        return 2;
    }
}

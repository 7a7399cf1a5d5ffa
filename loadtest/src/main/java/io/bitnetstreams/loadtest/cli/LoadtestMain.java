package io.bitnetstreams.loadtest.cli;

import io.bitnetstreams.standalone.cli.BitnetStreamsCli;
import java.util.Arrays;
import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.standalone.run.StandaloneRun;
import picocli.CommandLine;

/**
 * Entry point of {@code bin/bitnet-streams loadtest ...}: runs the load test; any other subcommand goes to the
 * pipeline CLI unchanged.
 */
public final class LoadtestMain {

    private LoadtestMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("loadtest")) {
            CommandLine loadtest = new CommandLine(new LoadtestCommand());
            ConfigOptions.document(loadtest, StandaloneRun.KEYS);
            System.exit(loadtest.execute(Arrays.copyOfRange(args, 1, args.length)));
        }
        BitnetStreamsCli.main(args);
    }
}

package io.bitnetstreams.chaos.cli;

import io.bitnetstreams.chaos.run.ChaosRun;
import io.bitnetstreams.chaos.run.Fault;
import io.bitnetstreams.chaos.run.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bitnet-streams chaos}: exactly once across real processes under kills and broker bounces. Prints progress
 * on stderr and a one-line JSON verdict on stdout; exits 0 only when nothing was lost or duplicated (and nothing
 * differed from a run without faults), 1 otherwise, 2 on bad options.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Starts a controller quorum, 3 brokers, the registry, 2 topology instances and 3 workers as separate "
                + "processes on this machine, sends requests at a steady rate, SIGKILLs workers and a topology instance, "
                + "hard-restarts a broker and restarts the registry, and verifies with a read_committed reader that every "
                + "request was answered exactly once.",
                "Prints one line of JSON: {\"requests\",\"results\",\"dead_letters\",\"lost\",\"duplicated\",\"faults\",\"seconds\",...}."})
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--requests", paramLabel = "N", description = "Requests to send (default ${DEFAULT-VALUE}).", defaultValue = "10000")
    int requests;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the request plan (default ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--rate", paramLabel = "R", description = "Requests per second, steady (default ${DEFAULT-VALUE}).", defaultValue = "25")
    double rate;

    @Option(names = "--faults", paramLabel = "LIST", defaultValue = "all",
            description = "worker-kill,topology-kill,broker-restart,registry-restart, 'all' or 'none' (default ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--engine-share", paramLabel = "F", defaultValue = "0.05",
            description = "Fraction of generate requests, run by the real engine on a tiny synthetic model (default ${DEFAULT-VALUE}).")
    double engineShare;

    @Option(names = "--invalid-share", paramLabel = "F", defaultValue = "0.05",
            description = "Fraction of invalid requests, each to become one dead letter (default ${DEFAULT-VALUE}).")
    double invalidShare;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--controllers", paramLabel = "N", defaultValue = "1",
            description = "Size of the KRaft controller quorum, separate processes (default ${DEFAULT-VALUE}; 3 costs ~1 GB more).")
    int controllers;

    @Option(names = "--launcher-dir", paramLabel = "DIR",
            description = "The launcher module's target directory (bitnet-launcher.jar + lib/); default: system property "
                    + "bitnet.launcher.dir, else launcher/target.")
    Path launcherDir;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory for the run (default: a new temporary one, removed at the end).")
    Path dir;

    @Option(names = "--keep", description = "Keep the run's directory (logs, data) at the end.")
    boolean keep;

    @Option(names = "--start-timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Bound on each process start (default ${DEFAULT-VALUE}).")
    long startTimeoutSeconds;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "240",
            description = "Give up when no new answer comes for this long after the last send (default ${DEFAULT-VALUE}).")
    long drainTimeoutSeconds;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10", description = "Progress lines on stderr (default ${DEFAULT-VALUE}).")
    long progressSeconds;

    @Option(names = "--verifier-isolation", paramLabel = "LEVEL", defaultValue = "read_committed",
            description = "read_committed (the verdict), or read_uncommitted: a negative control that shows what a reader "
                    + "of uncommitted data would see (aborted output of killed processes as duplicates); never passes.")
    String verifierIsolation;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || requests > 1_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests must be in [1, 1000000]");
        }
        if (controllers != 1 && controllers != 3 && controllers != 5) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--controllers must be 1, 3 or 5");
        }
        if (!verifierIsolation.equals("read_committed") && !verifierIsolation.equals("read_uncommitted")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--verifier-isolation must be read_committed or read_uncommitted");
        }
        Path launcher = launcherDir != null ? launcherDir
                : Path.of(System.getProperty("bitnet.launcher.dir", "launcher/target"));
        boolean temporary = dir == null;
        Path runDir = temporary ? Files.createTempDirectory("bitnet-chaos-") : dir;
        ChaosRun.Settings settings;
        try {
            settings = new ChaosRun.Settings(requests, seed, rate, Fault.parse(faults), engineShare, invalidShare, partitions,
                    controllers, launcher, runDir, keep || !temporary, Duration.ofSeconds(startTimeoutSeconds),
                    Duration.ofSeconds(drainTimeoutSeconds), Duration.ofSeconds(progressSeconds),
                    verifierIsolation.equals("read_committed"));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Verdict verdict = new ChaosRun(settings, System.err).run();
        spec.commandLine().getOut().println(verdict.json());
        spec.commandLine().getOut().flush();
        return verdict.passed() ? 0 : 1;
    }
}

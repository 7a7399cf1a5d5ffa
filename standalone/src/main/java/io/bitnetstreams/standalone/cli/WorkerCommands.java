package io.bitnetstreams.standalone.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code worker} subcommand: the worker module's own command, or a stand-in saying it is not there yet. */
final class WorkerCommands {

    static final String WORKER_COMMAND = "io.bitnetstreams.worker.cli.WorkerCommand";

    private WorkerCommands() {
    }

    static Object create() {
        try {
            return Class.forName(WORKER_COMMAND).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Missing();
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true,
            description = "Run a Kafka inference worker (not in this build yet).")
    static final class Missing implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("worker: the Kafka inference worker is not in this build yet"
                    + " (module inference-worker/service has no " + WORKER_COMMAND + ").");
            return 3;
        }
    }
}

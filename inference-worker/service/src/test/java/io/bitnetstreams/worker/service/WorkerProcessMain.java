package io.bitnetstreams.worker.service;

import io.bitnetstreams.worker.cli.WorkerCommand;
import picocli.CommandLine;

/** Child-JVM entry point of the process tests: the real WorkerCommand, with {@code --model delayed} as executor. */
public final class WorkerProcessMain {

    private WorkerProcessMain() {}

    public static void main(String[] args) {
        int exit = new CommandLine(new WorkerCommand(config -> new DelayedKeywordExecutor(config.queueCapacity(), 20))).execute(args);
        System.exit(exit);
    }
}

package io.bitnetstreams.standalone.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts the Kafka inference workers of a standalone run. The worker service (module inference-worker/service) is
 * looked for at run time, so that this module says precisely what is missing instead of pretending.
 */
public final class WorkerPart {

    static final String WORKER_COMMAND = "io.bitnetstreams.worker.cli.WorkerCommand";

    /** How the workers of a run are started. */
    public record Settings(Path model, int workers, int threadsPerWorker, int httpPort) {
    }

    private WorkerPart() {
    }

    /** What is missing before workers can run; empty when nothing is. */
    public static List<String> missing() {
        if (!present(WORKER_COMMAND)) {
            return List.of("the Kafka inference worker: module inference-worker/service has no runnable worker yet"
                    + " (no " + WORKER_COMMAND + "); it arrives with the 'worker' branch");
        }
        return List.of("the standalone wiring of the inference worker (the worker service exists, but this build does"
                + " not start it in-process yet)");
    }

    public static AutoCloseable start(Infrastructure infrastructure, Settings settings) {
        throw new IllegalStateException("cannot start workers: " + String.join("; ", missing()));
    }

    static boolean present(String className) {
        try {
            Class.forName(className, false, WorkerPart.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

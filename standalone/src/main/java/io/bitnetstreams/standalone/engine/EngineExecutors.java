package io.bitnetstreams.standalone.engine;

import io.bitnetstreams.worker.executor.ExecutorFactory;
import java.nio.file.Path;

/** The worker's executors: the keyword stand-in for {@code --model keyword}, the BitNet engine for model files. */
public final class EngineExecutors {

    private EngineExecutors() {
    }

    public static ExecutorFactory factory() {
        return ExecutorFactory.keywordOr(config -> EngineWorkExecutor.load(Path.of(config.model()), config.threads(),
                config.queueCapacity(), config.maxMemoryMb()));
    }
}

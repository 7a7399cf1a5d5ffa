package io.bitnetstreams.worker.executor;

import io.bitnetstreams.worker.config.WorkerConfig;

/** Makes the executor of a worker process from its config (loading the model, which may take a while). */
@FunctionalInterface
public interface ExecutorFactory {

    /** The model name that selects {@link KeywordWorkExecutor} instead of a real model. */
    String KEYWORD_MODEL = "keyword";

    WorkExecutor create(WorkerConfig config) throws Exception;

    /** {@code model=keyword}: the keyword executor; anything else: the engine, through {@code engine}. */
    static ExecutorFactory keywordOr(ExecutorFactory engine) {
        return config -> KEYWORD_MODEL.equals(config.model())
                ? new KeywordWorkExecutor(config.threads(), config.queueCapacity(), config.maxBatchSize())
                : engine.create(config);
    }
}

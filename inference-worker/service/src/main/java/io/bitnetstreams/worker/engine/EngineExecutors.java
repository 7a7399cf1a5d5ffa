package io.bitnetstreams.worker.engine;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.engine.download.DownloadConfig;
import io.bitnetstreams.engine.download.DownloadListener;
import io.bitnetstreams.engine.download.ModelDownloader;
import io.bitnetstreams.engine.download.ModelSource;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.executor.ExecutorFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the configured model (pulling {@code hf:} / URL sources first) into an {@link EngineWorkExecutor}. */
public final class EngineExecutors implements ExecutorFactory {

    private static final Logger log = LoggerFactory.getLogger(EngineExecutors.class);
    /** Generated-token limit of extraction work items (the ExtractTask schema has none). */
    static final int MAX_EXTRACT_TOKENS = 512;

    @Override
    public EngineWorkExecutor create(WorkerConfig config) throws Exception {
        Path path = resolve(config.model());
        GgufFile file = GgufFile.open(path);
        ComputePool pool = null;
        try {
            pool = new ComputePool(config.threads());
            BitNetModel model = BitNetModel.load(file, Kernels.byName(config.engine().kernels()), pool,
                    config.engine().loadOptions());
            Tokenizer tokenizer = Llama3Tokenizer.create(GgufTokenizers.vocabulary(file.metadata()), GgufTokenizers.preTokenizer(file.metadata()));
            // the admission queue is the worker's one queue: the engine is handed at most maxBatchSize requests, and
            // only those can wait inside it (for KV memory)
            EngineConfig engineConfig = EngineConfig.defaults().withMaxQueued(config.maxBatchSize());
            if (config.maxMemoryMb() > 0) {
                engineConfig = engineConfig.withKvPoolBytes(config.maxMemoryMb() << 20);
            }
            InferenceEngine engine = new InferenceEngine(model, tokenizer, engineConfig);
            ComputePool ownedPool = pool;
            String modelId = path.getFileName().toString();
            return new EngineWorkExecutor(engine, modelId, config.queueCapacity(), config.maxBatchSize(),
                    MAX_EXTRACT_TOKENS, Clock.systemUTC(), () -> {
                        ownedPool.close();
                        file.close();
                    });
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw e;
        }
    }

    /** A local file as is; {@code hf:OWNER/REPO/FILE} or an http(s) URL downloaded (resumable, cached) first. */
    static Path resolve(String model) throws Exception {
        String lower = model.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hf:") || lower.startsWith("http://") || lower.startsWith("https://")) {
            ModelSource source;
            try {
                source = ModelSource.parse(model);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("bitnet.model", e.getMessage());
            }
            try (ModelDownloader downloader = new ModelDownloader(DownloadConfig.defaults())) {
                log.info("pulling model {}", model);
                return downloader.download(source, null, new DownloadListener() {});
            }
        }
        Path path = Path.of(model);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("bitnet.model", "no model file at " + path.toAbsolutePath());
        }
        return path;
    }
}

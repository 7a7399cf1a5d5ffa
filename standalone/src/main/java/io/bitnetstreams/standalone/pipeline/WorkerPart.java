package io.bitnetstreams.standalone.pipeline;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.config.WorkerConfigLoader;
import io.bitnetstreams.worker.engine.EngineExecutors;
import io.bitnetstreams.worker.executor.ExecutorFactory;
import io.bitnetstreams.worker.service.WorkerApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts the Kafka inference workers of a standalone run, each a full {@link WorkerApp} on the BitNet engine. */
public final class WorkerPart implements AutoCloseable {

    /**
     * How the workers of a run are started; {@code httpPort} is the first worker's (the others take free ports).
     * {@code instancePrefix} starts each worker's instance id, hence its transactional id: runs sharing a cluster
     * need different prefixes, or the newer worker fences the older one.
     */
    public record Settings(Path model, int workers, int threadsPerWorker, int httpPort, String instancePrefix,
                           Map<String, String> userSettings) {

        /** Without settings of the user's. */
        public Settings(Path model, int workers, int threadsPerWorker, int httpPort, String instancePrefix) {
            this(model, workers, threadsPerWorker, httpPort, instancePrefix, Map.of());
        }
    }

    private final List<WorkerApp> apps;

    private WorkerPart(List<WorkerApp> apps) {
        this.apps = List.copyOf(apps);
    }

    public static WorkerConfig config(Infrastructure infrastructure, TopicNames topics, Settings settings, int index) {
        Map<String, String> values = new HashMap<>();
        // sequences the engine batches together: more than the default keeps both cores busy on short documents
        values.put("bitnet.batch.max.size", "32");
        // Ctrl-C should not wait half a minute for in-flight work
        values.put("bitnet.shutdown.grace.ms", "5000");
        values.put("bitnet.commit.interval.ms", "100");
        settings.userSettings().forEach((key, value) -> {
            if (!key.startsWith(ConfigValues.PREFIX) || WorkerConfig.KEYS.contains(key)) {
                values.put(key, value);
            }
        });
        // what the stack decides: the model, one thread count, distinct instances, the topology's topics and cluster
        values.put("bitnet.model", settings.model().toAbsolutePath().toString());
        values.put("bitnet.threads", Integer.toString(settings.threadsPerWorker()));
        values.put("bitnet.instance.id", settings.instancePrefix() + index);
        values.put(TopicNames.WORK_CLASSIFY, topics.workClassify());
        values.put(TopicNames.WORK_EXTRACT, topics.workExtract());
        values.put(TopicNames.WORK_GENERATE, topics.workGenerate());
        values.put(TopicNames.WORK_RESULTS, topics.workResults());
        values.put(TopicNames.DEAD_LETTERS, topics.deadLetters());
        values.put("bitnet.http.port", Integer.toString(index == 0 ? settings.httpPort() : 0));
        values.put("bootstrap.servers", infrastructure.bootstrapServers());
        values.put("schema.registry.url", infrastructure.registryUrl());
        return WorkerConfigLoader.fromMap(values, Map.of());
    }

    /** Starts every worker (loading the model once per worker; the file is mapped, not copied). */
    public static WorkerPart start(Infrastructure infrastructure, TopicNames topics, Settings settings) throws Exception {
        List<WorkerApp> apps = new ArrayList<>();
        try {
            for (int i = 0; i < settings.workers(); i++) {
                apps.add(WorkerApp.start(config(infrastructure, topics, settings, i), ExecutorFactory.keywordOr(new EngineExecutors())));
            }
        } catch (Exception e) {
            new WorkerPart(apps).close();
            throw e;
        }
        return new WorkerPart(apps);
    }

    /** The metrics/health port of each worker. */
    public List<Integer> httpPorts() {
        return apps.stream().map(WorkerApp::httpPort).toList();
    }

    @Override
    public void close() {
        for (WorkerApp app : apps) {
            app.close();
        }
    }
}

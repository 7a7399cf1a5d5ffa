package io.bitnetstreams.worker.service;

import io.bitnetstreams.contract.TopicCheck;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.executor.ExecutorFactory;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.http.HealthServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole worker process: model (executor), Kafka service, HTTP probes and metrics. {@link #start} returns
 * once everything runs; {@link #stop} is what SIGTERM does.
 */
public final class WorkerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

    private final WorkerConfig config;
    private final WorkExecutor executor;
    private final WorkerService service;
    private final HealthServer http;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private WorkerApp(WorkerConfig config, WorkExecutor executor, WorkerService service, HealthServer http,
                      PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        this.config = config;
        this.executor = executor;
        this.service = service;
        this.http = http;
        this.registry = registry;
        this.gcMetrics = gcMetrics;
    }

    /**
     * Checks that its topics exist (waiting {@code bitnet.topics.wait} for a topology creating them), loads the
     * model (timed into the model-load metric), starts HTTP, then consumes.
     */
    public static WorkerApp start(WorkerConfig config, ExecutorFactory executors) throws Exception {
        // before the slow model load: writing results or dead letters into topics nobody created loses them
        TopicCheck.requireExisting(config.kafka(), config.usedTopics(), config.topicWait());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        WorkerMetrics metrics = new WorkerMetrics(registry);

        long loadStart = System.nanoTime();
        WorkExecutor executor = executors.create(config);
        Duration loadTime = Duration.ofNanos(System.nanoTime() - loadStart);
        metrics.modelLoaded(loadTime);
        log.info("model {} ready in {} ms", executor.modelId(), loadTime.toMillis());

        WorkerService service = new WorkerService(config, executor, metrics, Clock.systemUTC());
        metrics.bindQueue(executor::queued, service::inFlightCount);
        HealthServer http = null;
        try {
            if (config.httpPort() >= 0) {
                http = HealthServer.start(config.httpPort(), service::isLive, service::isReady, registry::scrape);
            }
            service.start();
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                http.close();
            }
            executor.close();
            throw e;
        }
        return new WorkerApp(config, executor, service, http, registry, gcMetrics);
    }

    public WorkerService service() {
        return service;
    }

    /** Port of the HTTP server, or -1 without one. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public String scrape() {
        return registry.scrape();
    }

    /** Blocks until the service loop ends. */
    public void awaitTermination() throws InterruptedException {
        while (!service.awaitTermination(Duration.ofSeconds(1))) {
            // keep waiting; the loop ends on stop() or a fatal error
        }
    }

    /** SIGTERM: stop polling, finish or abort in-flight work within the grace period, commit, leave the group. */
    public boolean stop() throws InterruptedException {
        service.shutdown();
        boolean stopped = service.awaitTermination(config.shutdownGrace().plusSeconds(30));
        closeRest();
        return stopped && service.fatalError() == null;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeRest() {
        if (!closed.compareAndSet(false, true)) {
            return; // stop() from the SIGTERM hook and close() may both get here
        }
        executor.close();
        if (http != null) {
            http.close();
        }
        gcMetrics.close();
        registry.close();
    }
}

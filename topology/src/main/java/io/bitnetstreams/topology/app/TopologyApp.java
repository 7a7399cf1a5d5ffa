package io.bitnetstreams.topology.app;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import io.bitnetstreams.topology.BitnetTopology;
import io.bitnetstreams.topology.Topics;
import io.bitnetstreams.topology.TopologyForm;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.topology.errors.DeadLetterDeserializationHandler;
import io.bitnetstreams.topology.errors.DeadLetterRecords;
import io.bitnetstreams.topology.errors.DeadLetterRecords;
import io.bitnetstreams.topology.errors.DeadLetterProcessingHandler;
import io.bitnetstreams.topology.errors.DeadLetterProductionHandler;
import io.bitnetstreams.topology.http.StatusServer;
import io.bitnetstreams.topology.http.StreamsStatusSource;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running topology application: checks cluster and registry, creates missing topics, serves HTTP, runs Kafka
 * Streams with exactly-once and the dead-letter exception handlers. {@link #close()} stops everything.
 */
public final class TopologyApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyApp.class);
    // a TLS handshake plus a SCRAM exchange from a cold JVM on a busy machine can take longer than 15 s
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final PrometheusMeterRegistry meters;
    private final SchemaRegistryClient registry;
    private final StatusServer http;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final RepartitionPurger purger;
    private final TopologyForm form;

    private TopologyApp(TopologyConfig config, Tokenizer tokenizer) {
        RegistryCheck.requireReachable(config.serdeConfig());
        form = TopicProvisioner.ensureTopics(config, STARTUP_TIMEOUT);
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindJvmMetrics(meters);
        registry = new HttpSchemaRegistryClient(SerdeConfig.parse(config.serdeConfig()).registry());
        Topics topics = Topics.create(config.topics(), config.repartitionTopics(), registry,
                config.serdeConfig());
        var metrics = new TopologyMetrics(meters);
        var topology = BitnetTopology.build(config, topics, tokenizer, metrics, form);
        LOG.info("topology:\n{}", topology.describe());

        // the HTTP port must be known before Streams starts: it is this instance's application.server
        KafkaStreams[] holder = new KafkaStreams[1];
        var supervisor = new StreamThreadSupervisor(Clock.systemUTC(),
                () -> holder[0] == null ? Map.of() : commitsByThread(holder[0]));
        http = new StatusServer("0.0.0.0", config.httpPort(), meters::scrape,
                () -> holder[0] != null && holder[0].state().isRunningOrRebalancing(),
                // ready only while running and making progress: a thread dying on the same record again and again
                // (the client stays RUNNING while its threads are replaced) is not ready
                () -> holder[0] != null && holder[0].state() == KafkaStreams.State.RUNNING
                        && supervisor.makingProgress());
        HostInfo self = new HostInfo(config.advertisedHost(), http.port());
        Properties properties = streamsProperties(config, self);
        properties.put(DeadLetterRecords.METRICS_CONFIG, metrics);
        properties.put(DeadLetterRecords.REGISTRY_CLIENT_CONFIG, registry); // the handlers share our registry client
        streams = new KafkaStreams(topology, properties);
        holder[0] = streams;
        streams.setUncaughtExceptionHandler(supervisor);
        http.statusSource(new StreamsStatusSource(streams, self));
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        streams.start();
        purger = new RepartitionPurger(config);
        LOG.info("topology {} started; HTTP on {}:{}", config.applicationId(), self.host(), self.port());
    }

    /** Heap, GC, threads and CPU, named like the worker's, so one dashboard panel covers every part. */
    private static void bindJvmMetrics(PrometheusMeterRegistry meters) {
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
    }

    /** Starts the application or fails with a {@link StartupException} naming what is unreachable. */
    public static TopologyApp start(TopologyConfig config, Tokenizer tokenizer) {
        return new TopologyApp(config, tokenizer);
    }

    /** Commits so far per live stream thread ({@code commit-total} of {@code stream-thread-metrics}). */
    static Map<String, Double> commitsByThread(KafkaStreams streams) {
        Map<String, Double> commits = new HashMap<>();
        streams.metrics().forEach((name, metric) -> {
            if ("commit-total".equals(name.name()) && "stream-thread-metrics".equals(name.group())
                    && metric.metricValue() instanceof Number count) {
                commits.put(name.tags().getOrDefault("thread-id", ""), count.doubleValue());
            }
        });
        return commits;
    }

    /**
     * Latency defaults (a passthrough key overrides them). Under exactly-once a record is only visible downstream
     * after its transaction commits, and a request crosses up to four of the topology's commits (requests, their
     * repartition, work results, their repartition). Streams checks after each processing round whether
     * {@code commit.interval.ms} has passed since its last check that passed, and every such check restarts the
     * interval, even one that found nothing to commit; so with an interval alone a processed record waits on average
     * about half of it plus a poll ({@code poll.ms}) for its commit (Streams' exactly-once defaults of 100 ms each cost
     * up to ~200 ms per hop), while {@code commit.interval.ms=0} makes every processing round a transaction and, under
     * a burst, hands on about two thirds of the documents per second of a 50 ms interval. The interval is 50 ms, and a
     * record read after an idle interval asks for its commit at once ({@link
     * io.bitnetstreams.topology.processors.CommitPacer}): a lone request is handed on at the end of the round that
     * read it, a burst is committed every 50 ms.
     * <p>
     * An immediate commit used to give a worse tail than a 10 ms interval. The cause (measured with
     * {@code loadtest eos-probe}): the stream thread's one producer serves both sub-topologies of a path, so the
     * second one reads the first one's output about 2 ms after that transaction's EndTxn returned, while the broker is
     * still writing its markers; the new transaction's AddPartitionsToTxn / AddOffsetsToTxn then get
     * CONCURRENT_TRANSACTIONS, and the producer retries after {@code retry.backoff.ms}, 100 ms by default (the probe:
     * p90 of that stage 7 ms -> 129 ms). With the producer's retry back-off at 5 ms (doubling per retry up to
     * {@code retry.backoff.max.ms}) the retry comes as soon as the markers are written. Idle cost: one empty poll every
     * 10 ms, nothing committed (about 5% of a core for the stream thread on the shared machine; poll.ms=100: ~2%).
     */
    static final Map<String, String> LATENCY_DEFAULTS = Map.of(
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50",
            StreamsConfig.POLL_MS_CONFIG, "10",
            StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), "5");

    /**
     * Kafka Streams settings: the latency defaults, then passthrough keys, then what this application requires (passthrough keys that
     * would change what exactly-once needs were refused by {@link TopologyConfig}).
     */
    static Properties streamsProperties(TopologyConfig config, HostInfo self) {
        var properties = new Properties();
        properties.putAll(LATENCY_DEFAULTS);
        properties.putAll(config.passthrough());
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class.getName());
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
        properties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class.getName());
        // the handlers read the dead-letter topic from here
        properties.put("bitnet.topic.dlq", config.topics().deadLetters());
        properties.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.replicationFactor()));
        return properties;
    }

    /** The form built: which inputs are read by the stateful sub-topology itself. */
    public TopologyForm form() {
        return form;
    }

    public int httpPort() {
        return http.port();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    @Override
    public void close() {
        purger.close();
        streams.close(Duration.ofSeconds(30));
        streamsMetrics.close();
        http.close();
        registry.close();
        meters.close();
    }
}

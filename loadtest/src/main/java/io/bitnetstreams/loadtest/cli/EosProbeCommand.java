package io.bitnetstreams.loadtest.cli;

import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import io.bitnetstreams.loadtest.eos.BrokerRequestMetrics;
import io.bitnetstreams.loadtest.eos.EosHopProbe;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bitnet-streams loadtest eos-probe}: the latency floor of one exactly-once hop on the broker the load test
 * starts (or an existing one), split into its client-side stages and, for the embedded broker, the broker's own
 * request timings.
 */
@Command(name = "eos-probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure exactly-once hops without the pipeline: a transactional source, --stages relays (read_committed"
                + " consumer + transactional producer, offsets in the transaction) and a read_committed sink, one record at a"
                + " time. Prints the stages of a hop (p50/p90/p99/max ms) and, for the broker it starts itself (the load"
                + " test's embedded broker, same defaults), the broker's request timings per request type."})
final class EosProbeCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Broker settings shown with the results: the ones a hop's latency depends on. */
    private static final List<String> SHOWN_BROKER_SETTINGS = List.of("num.network.threads", "num.io.threads",
            "queued.max.requests", "log.flush.interval.messages", "log.flush.interval.ms",
            "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
            "transaction.state.log.num.partitions", "add.partitions.to.txn.retry.backoff.ms",
            "add.partitions.to.txn.retry.backoff.max.ms", "group.coordinator.append.linger.ms", "group.coordinator.threads",
            "transaction.partition.verification.enable");

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Probe this cluster instead of starting the load test's embedded broker (no broker timings then).")
    String bootstrapServers;

    @Option(names = "--stages", paramLabel = "N", defaultValue = "2",
            description = "Relay stages between source and sink (default: ${DEFAULT-VALUE}: like the topology's two"
                    + " sub-topologies on one producer).")
    int stages;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "200", description = "Measured records (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "30", description = "Records sent first, not measured (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "Pause after a record reached the sink before the next is sent (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "12", description = "Partitions per topic (default: ${DEFAULT-VALUE}, as the load test).")
    int partitions;

    @Option(names = "--relay", paramLabel = "shared|per-stage", defaultValue = "shared",
            description = "shared: one consumer and one transactional producer serve every stage (one Kafka Streams thread);"
                    + " per-stage: one each (default: ${DEFAULT-VALUE}).")
    String relay;

    @Option(names = "--broker-set", paramLabel = "KEY=VALUE", description = "A setting of the embedded broker (on top of the devstack defaults).")
    Map<String, String> brokerSettings = new LinkedHashMap<>();

    @Option(names = "--producer-set", paramLabel = "KEY=VALUE", description = "A producer setting of source and relays.")
    Map<String, String> producerSettings = new LinkedHashMap<>();

    @Option(names = "--consumer-set", paramLabel = "KEY=VALUE", description = "A consumer setting of relays and sink.")
    Map<String, String> consumerSettings = new LinkedHashMap<>();

    @Option(names = "--transaction-version", paramLabel = "1|2",
            description = "Set the cluster's transaction.version feature first (the embedded broker starts with 2).")
    Short transactionVersion;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        LoadtestCommand.quietLogs(false);
        EmbeddedKafkaCluster cluster = null;
        PrintStream stdout = System.out;
        try {
            String servers = bootstrapServers;
            if (servers == null) {
                System.setOut(System.err); // the storage formatter prints to stdout
                try {
                    cluster = KafkaClusterConfig.builder().brokerProperties(brokerSettings).start();
                } finally {
                    System.setOut(stdout);
                }
                servers = cluster.bootstrapServers();
            }
            EosHopProbe.Settings settings = new EosHopProbe.Settings(servers, Long.toString(System.currentTimeMillis(), 36),
                    stages, messages, warmup, interval, partitions, switch (relay) {
                        case "shared" -> true;
                        case "per-stage" -> false;
                        default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                                "--relay must be shared or per-stage, was " + relay);
                    }, new HashMap<>(producerSettings),
                    new HashMap<>(consumerSettings));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                if (transactionVersion != null) {
                    var current = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures()
                            .get("transaction.version");
                    short level = current == null ? 0 : current.maxVersionLevel();
                    admin.updateFeatures(Map.of("transaction.version", new FeatureUpdate(transactionVersion,
                            transactionVersion >= level ? FeatureUpdate.UpgradeType.UPGRADE : FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
                            new UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
                }
                admin.createTopics(settings.topics().stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                        .all().get(60, TimeUnit.SECONDS);
                printBroker(out, admin, servers);
            }
            BrokerRequestMetrics broker = new BrokerRequestMetrics();
            boolean brokerTimings = cluster != null && broker.available();
            Map<String, BrokerRequestMetrics.Sum> before = brokerTimings ? broker.snapshot() : Map.of();
            Map<String, Long> errorsBefore = broker.errors();
            String load = loadAverage();
            EosHopProbe.Result result = new EosHopProbe(settings).run();
            out.printf("eos-probe: %d stage(s), %d records measured (+%d warm-up), %s between records, %d partitions;"
                    + " load average before %s, after %s%n", stages, result.measured(), warmup, interval, partitions, load,
                    loadAverage());
            printStages(out, result);
            if (brokerTimings) {
                printBrokerTimings(out, broker.window(before, broker.snapshot(), messages / 2));
                Map<String, Long> errors = new java.util.TreeMap<>();
                broker.errors().forEach((key, count) -> {
                    long delta = count - errorsBefore.getOrDefault(key, 0L);
                    if (delta > 0) {
                        errors.put(key, delta);
                    }
                });
                out.println("broker error answers over the run (retried by the clients): " + (errors.isEmpty() ? "none" : errors));
            }
            return result.measured() == messages ? 0 : 1;
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private void printBroker(PrintStream out, Admin admin, String servers) throws Exception {
        var features = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS).finalizedFeatures();
        out.printf("broker %s, finalized features: %s%n", servers, features.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().maxVersionLevel()).sorted().toList());
        String brokerId = Integer.toString(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, brokerId);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        StringBuilder line = new StringBuilder("broker settings:");
        for (String key : SHOWN_BROKER_SETTINGS) {
            var entry = config.get(key);
            line.append(' ').append(key).append('=').append(entry == null ? "?" : entry.value());
        }
        out.println(line);
    }

    private static void printStages(PrintStream out, EosHopProbe.Result result) {
        out.printf("%-66s %8s %8s %8s %8s %8s%n", "stage (ms)", "p50", "p90", "p99", "max", "mean");
        result.stages().forEach((name, histogram) -> out.printf("%-66s %8.1f %8.1f %8.1f %8.1f %8.1f%n", name,
                ms(histogram, 50), ms(histogram, 90), ms(histogram, 99), histogram.getMaxValue() / 1000.0,
                histogram.getMean() / 1000.0));
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void printBrokerTimings(PrintStream out, Map<String, BrokerRequestMetrics.Row> rows) {
        out.println("broker request timings over the run (mean ms per part; total p50/p99 from the broker's reservoir):");
        out.printf("%-24s %7s %8s %8s %8s %8s %8s %8s %8s %8s%n", "request", "count", "queue", "local", "remote", "respQ",
                "send", "total", "p50", "p99");
        rows.values().forEach(row -> {
            out.printf("%-24s %7d", row.request(), row.count());
            for (String part : BrokerRequestMetrics.PARTS) {
                out.printf(" %8.2f", row.meanMs().get(part));
            }
            out.printf(" %8.1f %8.1f%n", row.totalP50(), row.totalP99());
        });
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}

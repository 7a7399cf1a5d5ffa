package io.bitnetstreams.chaos.run;

import io.bitnetstreams.chaos.cluster.ChaosCluster;
import io.bitnetstreams.chaos.cluster.ChildProcess;
import io.bitnetstreams.chaos.verify.CommittedReader;
import io.bitnetstreams.chaos.verify.Ledger;
import io.bitnetstreams.chaos.verify.TopicCheck;
import io.bitnetstreams.chaos.workload.PlannedRequest;
import io.bitnetstreams.chaos.workload.RequestPlan;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.launcher.client.RequestPublisher;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run, modelled on Kafka's own system tests ({@code transactions_test}, {@code streams_eos_test}): start
 * the cluster of real processes, send the planned requests at a steady rate, inject the faults as the answers come
 * in while a {@code read_committed} verifier follows the output, then verify once more from the beginning with a
 * fresh reader and give the verdict.
 */
public final class ChaosRun {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

    /**
     * @param requests      how many requests
     * @param seed          the plan's seed (requests are a pure function of it)
     * @param rate          requests per second
     * @param faults        the faults to inject
     * @param engineShare   fraction of generate requests, run by the engine
     * @param invalidShare  fraction of invalid requests (dead letters)
     * @param drainTimeout  how long after the last send the answers may take
     * @param progressEvery how often progress goes to stderr
     * @param committedOnly  true (always, but for a negative control): the verifier reads read_committed
     */
    public record Settings(int requests, long seed, double rate, Set<Fault> faults, double engineShare, double invalidShare,
                           int partitions, int controllers, Path launcherDir, Path dir, boolean keepDir,
                           Duration startTimeout, Duration drainTimeout, Duration progressEvery, boolean committedOnly) {
        public Settings {
            if (rate <= 0 || rate > 10_000) {
                throw new IllegalArgumentException("rate must be in (0, 10000] requests/s");
            }
        }
    }

    private final Settings settings;
    private final PrintStream progress;
    private final List<String> faultsDone = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger sendFailures = new AtomicInteger();

    public ChaosRun(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Verdict run() throws IOException {
        long started = System.nanoTime();
        List<PlannedRequest> plan = RequestPlan.plan(settings.requests(), settings.seed(), settings.engineShare(),
                settings.invalidShare());
        Files.createDirectories(settings.dir());
        Path model = settings.dir().resolve("synthetic-tiny.gguf");
        SyntheticModelWriter.write(SyntheticSpec.preset("tiny", GgmlType.I2_S, 1), Vocabulary.byteLevel(), model);
        say("starting the cluster in %s (controllers %d, 3 brokers, registry, 2 topology instances, 3 workers)",
                settings.dir(), settings.controllers());
        try (ChaosCluster cluster = ChaosCluster.start(new ChaosCluster.Settings(settings.dir(), settings.keepDir(),
                settings.launcherDir(), model, settings.partitions(), settings.controllers(), settings.startTimeout()))) {
            say("cluster up after %.0f s; sending %d requests at %.1f/s with faults %s", seconds(started),
                    settings.requests(), settings.rate(), settings.faults());
            Map<String, Object> clients = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            Map<String, Object> serde = Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl());
            List<String> answerTopics = answerTopics(cluster.topics());
            checkTopics(clients);
            Ledger live = new Ledger(plan);
            Ledger.Counts finalCounts;
            try (CommittedReader liveReader = new CommittedReader(clients, serde, answerTopics, live, settings.committedOnly()).follow()) {
                Thread sender = Thread.ofPlatform().name("chaos-sender").start(() -> send(plan, clients, serde, cluster.topics()));
                injectFaults(cluster, live, sender, started);
                awaitAnswers(live, sender, started);
                say("live verifier: %s", summary(live.counts()));
            }
            // once more from the beginning, with a fresh reader, up to the last stable offsets
            Ledger fresh = new Ledger(plan);
            try (CommittedReader finalReader = new CommittedReader(clients, serde, answerTopics, fresh, settings.committedOnly())) {
                if (!finalReader.readToEnd(Duration.ofMinutes(3))) {
                    problems.add("the final read did not reach the last stable offsets within 3 minutes");
                }
            }
            finalCounts = fresh.counts();
            say("final verifier: %s", summary(finalCounts));
            List<String> dead = cluster.dead().stream().map(ChildProcess::name).toList();
            if (!dead.isEmpty()) {
                problems.add("processes that died on their own: " + dead + " (logs in " + cluster.dir().resolve("logs") + ")");
            }
            if (sendFailures.get() > 0) {
                problems.add(sendFailures.get() + " requests could not be sent");
            }
            if (!settings.committedOnly()) {
                problems.add("negative control: the verifier read read_uncommitted, so this verdict says nothing of the pipeline");
            }
            return new Verdict(settings.requests(), sent.get(), finalCounts, List.copyOf(faultsDone), List.copyOf(problems),
                    seconds(started));
        }
    }

    /** Replication 3 and min.insync.replicas 2 on every topic of the pipeline, Streams' internal ones included. */
    private void checkTopics(Map<String, Object> clients) {
        try {
            List<String> shortfalls = TopicCheck.shortfalls(clients, List.of("bitnet", "__transaction_state", "__consumer_offsets"));
            if (shortfalls.isEmpty()) {
                say("every topic has 3 replicas and min.insync.replicas 2");
            } else {
                problems.add("topics below replication 3 / min.insync.replicas 2: " + shortfalls);
            }
        } catch (Exception e) {
            problems.add("could not check the topics' replication: " + e);
        }
    }

    static List<String> answerTopics(TopicNames topics) {
        return List.of(topics.classificationResults(), topics.extractionResults(), topics.generationResults(),
                topics.deadLetters());
    }

    /** Sends request i at start + i / rate (steady, not bursty), whatever the faults do. */
    private void send(List<PlannedRequest> plan, Map<String, Object> clients, Map<String, Object> serde, TopicNames topics) {
        long periodNanos = (long) (1e9 / settings.rate());
        try (RequestPublisher publisher = new RequestPublisher(clients, serde, topics.requests())) {
            long start = System.nanoTime();
            for (int i = 0; i < plan.size(); i++) {
                long due = start + i * periodNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                PlannedRequest request = plan.get(i);
                try {
                    publisher.send(request.request()).get(3, TimeUnit.MINUTES);
                    sent.incrementAndGet();
                } catch (Exception e) {
                    sendFailures.incrementAndGet();
                    LOG.warn("request {} was not sent: {}", request.id(), e.toString());
                }
            }
            publisher.flush();
        } catch (RuntimeException e) {
            problems.add("the sender stopped: " + e);
            LOG.error("the sender stopped", e);
        }
    }

    private void injectFaults(ChaosCluster cluster, Ledger live, Thread sender, long started) {
        long lastProgress = System.nanoTime();
        for (FaultPlan.Step step : FaultPlan.of(settings.faults())) {
            long threshold = (long) Math.ceil(step.atProgress() * settings.requests());
            while (live.answered() < threshold) {
                if (System.nanoTime() - lastProgress > settings.progressEvery().toNanos()) {
                    report(live, started);
                    lastProgress = System.nanoTime();
                }
                if (!sender.isAlive() && stalled(live)) {
                    problems.add("the pipeline stopped answering before the fault " + step.fault().label());
                    return;
                }
                pause(Duration.ofMillis(200));
            }
            String done = inject(cluster, step, live);
            faultsDone.add(done);
            say("fault: %s", done);
        }
    }

    private String inject(ChaosCluster cluster, FaultPlan.Step step, Ledger live) {
        int percent = (int) Math.round(100.0 * live.answered() / settings.requests());
        String what;
        switch (step.fault()) {
            case WORKER_KILL -> {
                ChildProcess worker = cluster.workers().get(step.target() - 1);
                worker.kill();
                worker.start();
                what = "worker-kill:" + worker.name();
            }
            case TOPOLOGY_KILL -> {
                ChildProcess topology = cluster.topologies().get(step.target() - 1);
                topology.kill();
                topology.start();
                what = "topology-kill:" + topology.name();
            }
            case BROKER_RESTART -> {
                ChildProcess broker = cluster.kafka().brokers().get(step.target() - 1);
                cluster.kafka().hardRestart(broker);
                what = "broker-restart:" + broker.name();
            }
            case REGISTRY_RESTART -> {
                cluster.registry().restart();
                what = "registry-restart";
            }
            default -> throw new IllegalStateException("unknown fault " + step.fault());
        }
        return what + "@" + percent + "%";
    }

    private long lastAnswered = -1;
    private long lastChange = System.nanoTime();

    /** True when nothing new was answered for the drain timeout. */
    private boolean stalled(Ledger live) {
        int answered = live.answered();
        if (answered != lastAnswered) {
            lastAnswered = answered;
            lastChange = System.nanoTime();
            return false;
        }
        return System.nanoTime() - lastChange > settings.drainTimeout().toNanos();
    }

    private void awaitAnswers(Ledger live, Thread sender, long started) {
        long lastProgress = System.nanoTime();
        while (live.answered() < settings.requests()) {
            if (System.nanoTime() - lastProgress > settings.progressEvery().toNanos()) {
                report(live, started);
                lastProgress = System.nanoTime();
            }
            if (!sender.isAlive() && stalled(live)) {
                problems.add("no new answer for " + settings.drainTimeout().toSeconds() + " s after the last send");
                break;
            }
            pause(Duration.ofMillis(200));
        }
        try {
            sender.join(Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(Ledger live, long started) {
        Ledger.Counts counts = live.counts();
        say("%.0f s: sent %d/%d, answered %d (%d%%), duplicated %d, mismatched %d, unexpected %d, faults %s",
                seconds(started), sent.get(), settings.requests(), live.answered(),
                100L * live.answered() / settings.requests(), counts.duplicated(), counts.mismatched(),
                counts.unexpected(), faultsDone);
    }

    private static String summary(Ledger.Counts counts) {
        return "results " + counts.results() + ", dead letters " + counts.deadLetters() + ", lost " + counts.lost()
                + ", duplicated " + counts.duplicated() + ", mismatched " + counts.mismatched() + ", unexpected "
                + counts.unexpected();
    }

    private void say(String format, Object... args) {
        progress.printf("chaos: " + format + "%n", args);
        progress.flush();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

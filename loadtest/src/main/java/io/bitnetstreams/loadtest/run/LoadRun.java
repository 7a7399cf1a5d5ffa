package io.bitnetstreams.loadtest.run;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.loadtest.arrival.ArrivalSchedule;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import io.bitnetstreams.loadtest.cluster.LoadCluster;
import io.bitnetstreams.loadtest.cluster.ResultTap;
import io.bitnetstreams.loadtest.measure.LatencyHistograms;
import io.bitnetstreams.loadtest.measure.RequestLedger;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import io.bitnetstreams.loadtest.measure.SystemSampler;
import io.bitnetstreams.loadtest.workload.Workload;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One measured run: sends the load (open or closed loop) while the result tap and the sampler record, then waits
 * for the outstanding answers (up to the drain timeout) and returns the measurements.
 */
public final class LoadRun {

    /**
     * @param label         names the run in progress lines and reports
     * @param idPrefix      request ids are {@code idPrefix-N}: unique per run, so runs sharing a cluster never mix
     * @param drainTimeout  how long to wait for answers after the last send
     */
    public record Settings(String label, String idPrefix, LoadShape load, List<Workload.Template> templates, Workload workload,
                           Duration drainTimeout, Duration sampleInterval, Duration progressInterval, double seriesInterval) {
    }

    private final LoadCluster cluster;
    private final Supplier<Map<String, Long>> workerPids;
    private final PrintStream progress;
    private volatile boolean aborted;

    /** The workers, then the stack's own processes (when it was started here). */
    private Map<String, Long> sampledProcesses() {
        Map<String, Long> processes = new java.util.LinkedHashMap<>(workerPids.get());
        processes.putAll(cluster.stackProcesses());
        return processes;
    }

    public LoadRun(LoadCluster cluster, Supplier<Map<String, Long>> workerPids, PrintStream progress) {
        this.cluster = cluster;
        this.workerPids = workerPids;
        this.progress = progress;
    }

    /** Stops sending and draining (Ctrl-C); the run returns what it measured so far. */
    public void abort() {
        aborted = true;
    }

    public RunResult run(Settings settings, int workers, int threads) {
        // the clock starts once the producer and the tap are ready: their set-up is not part of any latency
        long[] start = {System.nanoTime()};
        RequestLedger ledger = new RequestLedger(() -> System.nanoTime() - start[0]);
        LoadShape load = settings.load();
        // closed loop: an answer frees a slot; open loop: answers do not pace the sender
        Semaphore inFlight = new Semaphore(load.openLoop() ? 0 : load.inFlight());
        java.util.function.Consumer<String> onEnded = load.openLoop() ? id -> { } : id -> inFlight.release();
        double sendSeconds;
        try (ResultTap tap = new ResultTap(cluster.clientConfig(), cluster.answerDeserializer(), cluster.topics(), ledger, onEnded);
             KafkaProducer<String, InferenceRequest> producer = producer();
             SystemSampler sampler = SystemSampler.start(SystemSampler.sources(cluster::workerLag, cluster::topologyLag, this::sampledProcesses),
                     ledger::now, settings.sampleInterval());
             Progress printer = new Progress(settings, ledger, sampler, progress)) {
            prime(producer, settings);
            start[0] = System.nanoTime();
            if (load.openLoop()) {
                sendOpenLoop(settings, ledger, producer, start[0]);
            } else {
                sendClosedLoop(settings, ledger, producer, inFlight);
            }
            producer.flush();
            sendSeconds = ledger.now() / 1e9;
            printer.sendingDone(sendSeconds);
            drain(ledger, settings.drainTimeout());
            awaitWorkerTimings(ledger);
            List<RequestRecord> records = ledger.records();
            sampler.close();
            return RunResult.of(settings.label(), load, workers, threads, sendSeconds, records, sampler.samples(), settings.seriesInterval());
        }
    }

    private KafkaProducer<String, InferenceRequest> producer() {
        Map<String, Object> config = new HashMap<>(cluster.clientConfig());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        // each request leaves at once: batching would add its linger to every latency
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // the study's one serializer (its schema lookups cached since the warm-up); closing the producer leaves it open
        AvroSerializer<InferenceRequest> shared = cluster.requestSerializer();
        Serializer<InferenceRequest> values = shared::serialize;
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    /**
     * Fetches the requests topic's metadata and registers the request schema before the clock starts, so that the
     * first send does not wait for either.
     */
    private void prime(KafkaProducer<String, InferenceRequest> producer, Settings settings) {
        producer.partitionsFor(cluster.topics().requests());
        cluster.requestSerializer().serialize(cluster.topics().requests(),
                settings.workload().request("prime", settings.templates().getFirst(), Instant.now()));
    }

    private void sendOpenLoop(Settings settings, RequestLedger ledger, KafkaProducer<String, InferenceRequest> producer, long start) {
        LoadShape load = settings.load();
        ArrivalSchedule schedule = ArrivalSchedule.of(load.shape(), load.rate(), settings.workload().seed());
        for (long i = 0; !aborted; i++) {
            long offset = schedule.nextOffsetNanos();
            if (!load.includes(i, offset)) {
                return;
            }
            long remaining;
            while (!aborted && (remaining = start + offset - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(remaining, 50_000_000));
            }
            send(settings, ledger, producer, i, offset, () -> { });
        }
    }

    private void sendClosedLoop(Settings settings, RequestLedger ledger, KafkaProducer<String, InferenceRequest> producer,
                                Semaphore inFlight) {
        LoadShape load = settings.load();
        long end = load.duration() == null ? Long.MAX_VALUE : load.duration().toNanos();
        for (long i = 0; !aborted; i++) {
            long now = ledger.now();
            if (!load.includes(i, now)) {
                return;
            }
            try {
                if (!inFlight.tryAcquire(Math.min(end - now, 200_000_000), TimeUnit.NANOSECONDS)) {
                    i--;
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long sendAt = ledger.now();
            if (!load.includes(i, sendAt)) {
                return;
            }
            send(settings, ledger, producer, i, sendAt, inFlight::release);
        }
    }

    private void send(Settings settings, RequestLedger ledger, KafkaProducer<String, InferenceRequest> producer, long index,
                      long intendedNanos, Runnable onNotSent) {
        Workload.Template template = settings.templates().get((int) (index % settings.templates().size()));
        String id = settings.idPrefix() + "-" + index;
        InferenceRequest request = settings.workload().request(id, template, Instant.now());
        ledger.sending(id, template.task(), template.textTokens(), intendedNanos);
        producer.send(new ProducerRecord<>(cluster.topics().requests(), id, request), (metadata, failure) -> {
            if (failure != null && ledger.notSent(id)) {
                onNotSent.run();
            }
        });
    }

    private void drain(RequestLedger ledger, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!aborted && ledger.outstanding() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000);
        }
    }

    /** Work results are committed before the final results they lead to, but may be read a poll later. */
    private void awaitWorkerTimings(RequestLedger ledger) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!aborted && System.nanoTime() < deadline && ledger.records().stream()
                .anyMatch(r -> r.outcome().isResult() && !r.hasWorkerTimings())) {
            LockSupport.parkNanos(100_000_000);
        }
    }

    /** Progress lines on stderr during a run. */
    private static final class Progress implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile double sendSeconds = -1;

        Progress(Settings settings, RequestLedger ledger, SystemSampler sampler, PrintStream out) {
            String total = settings.load().duration() != null ? "/" + settings.load().duration().toSeconds() + "s" : "";
            thread = Thread.ofPlatform().daemon().name("loadtest-progress").start(() -> {
                while (running) {
                    LockSupport.parkNanos(settings.progressInterval().toNanos());
                    if (!running) {
                        return;
                    }
                    SystemSampler.Sample sample = sampler.latest();
                    double p99 = LatencyHistograms.of(ledger.records()).summary().endToEnd().p99();
                    out.printf("[%s] %5.0fs%s %s sent %d, answered %d, outstanding %d, p99 so far %.0f ms, lag %s%n",
                            settings.label(), ledger.now() / 1e9, total, sendSeconds >= 0 ? "(draining)" : "", ledger.sent(),
                            ledger.endedCount(), ledger.outstanding(), p99,
                            sample == null ? "?" : sample.workerLag() + " work / " + sample.topologyLag() + " topology");
                    out.flush();
                }
            });
        }

        void sendingDone(double seconds) {
            sendSeconds = seconds;
        }

        @Override
        public void close() {
            running = false;
            LockSupport.unpark(thread);
        }
    }
}

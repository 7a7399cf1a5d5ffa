package io.bitnetstreams.loadtest.eos;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;

/**
 * The floor of exactly-once hops on a given broker, without the pipeline: a transactional source writes one record
 * per transaction, paced like a low-rate load; a relay (one read_committed consumer and one transactional producer,
 * offsets committed in the same transaction, as the worker and a Kafka Streams task do) forwards it through
 * {@code stages} topics; a read_committed sink reads the last one. Every record carries its id; every step is
 * timestamped with {@link System#nanoTime()} in this one JVM, so the stages of a hop are measured, not estimated:
 *
 * <ul>
 *   <li>source: produce acknowledged ({@code send().get()}), then {@code commitTransaction()} (flush + EndTxn);</li>
 *   <li>visible: commit returned -> the next consumer's {@code poll} returned the record (transaction markers
 *       written, last stable offset advanced, the waiting read_committed fetch answered);</li>
 *   <li>relay: polled -> sent -> {@code sendOffsetsToTransaction} returned (the offsets' round trips) ->
 *       {@code commitTransaction} returned (flush of the records + EndTxn).</li>
 * </ul>
 *
 * With two stages the relay reads its own output of the previous transaction, as a Kafka Streams thread does with a
 * repartition topic (one producer for both sub-topologies): the second stage's transaction starts right after the
 * first one's commit, so any wait for the first transaction's completion shows there.
 */
public final class EosHopProbe {

    /**
     * @param bootstrapServers the cluster
     * @param runId            makes the run's topic, group and transactional ids its own
     * @param stages           relay stages between source and sink (0: the sink reads the source topic)
     * @param messages         measured records (after {@code warmup})
     * @param warmup           records sent and awaited first, not measured
     * @param interval         pause between two source transactions (a low-rate load: each record travels alone)
     * @param partitions       partitions of each probe topic
     * @param sharedRelay      one relay (one consumer, one producer) serves every stage, as one Kafka Streams thread
     *                         serves both sub-topologies; false: one relay per stage
     * @param producerSettings extra producer properties of source and relay (a key here wins)
     * @param consumerSettings extra consumer properties of relay and sink (a key here wins)
     */
    public record Settings(String bootstrapServers, String runId, int stages, int messages, int warmup, Duration interval, int partitions,
                           boolean sharedRelay, Map<String, Object> producerSettings, Map<String, Object> consumerSettings) {
        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(runId, "runId");
            if (stages < 0 || stages > 4) {
                throw new IllegalArgumentException("stages must be within 0..4, was " + stages);
            }
            if (messages < 1 || messages > 1_000_000 || warmup < 0 || warmup > 100_000) {
                throw new IllegalArgumentException("messages 1..1000000 and warmup 0..100000, were " + messages + ", " + warmup);
            }
            if (partitions < 1 || partitions > 1000) {
                throw new IllegalArgumentException("partitions must be within 1..1000, was " + partitions);
            }
            producerSettings = Map.copyOf(producerSettings);
            consumerSettings = Map.copyOf(consumerSettings);
        }

        /** The topics the records pass through: source, stage outputs. */
        public List<String> topics() {
            List<String> topics = new ArrayList<>();
            topics.add(name("source"));
            for (int stage = 1; stage <= stages; stage++) {
                topics.add(name("stage-" + stage));
            }
            return topics;
        }

        String name(String part) {
            return "eos-probe-" + runId + "." + part;
        }
    }

    /** Named intervals of the path, in path order, each a histogram of milliseconds (microsecond resolution). */
    public record Result(Map<String, Histogram> stages, int measured) {
    }

    /** Timestamps (nanoTime) of one record along its path; -1 until reached. */
    private static final class Trace {
        final long[] at;

        Trace(int points) {
            at = new long[points];
            java.util.Arrays.fill(at, -1);
        }
    }

    private final Settings settings;
    private final Map<Long, Trace> traces = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final java.util.Set<KafkaConsumer<?, ?>> assigned = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    // points: 0 send, 1 acked, 2 committed, then per stage: polled, sent, offsets, committed; last: sink read
    private final int sinkPoint;

    public EosHopProbe(Settings settings) {
        this.settings = settings;
        this.sinkPoint = 3 + 4 * settings.stages();
    }

    /** Runs warm-up and measured records and returns the stages' histograms. */
    public Result run() throws InterruptedException {
        List<String> topics = settings.topics();
        List<List<Integer>> relays = new ArrayList<>();
        if (settings.sharedRelay() && settings.stages() > 0) {
            relays.add(java.util.stream.IntStream.rangeClosed(1, settings.stages()).boxed().toList());
        } else {
            for (int stage = 1; stage <= settings.stages(); stage++) {
                relays.add(List.of(stage));
            }
        }
        CountDownLatch ready = new CountDownLatch(relays.size() + 1);
        List<Thread> threads = new ArrayList<>();
        for (List<Integer> stages : relays) {
            threads.add(Thread.ofPlatform().name("eos-probe-relay-" + stages.getFirst())
                    .start(() -> guarded(() -> relay(stages, topics, ready))));
        }
        threads.add(Thread.ofPlatform().name("eos-probe-sink").start(
                () -> guarded(() -> sink(topics.getLast(), ready))));
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the probe's consumers got no partitions within 60 s");
            }
            source(topics.getFirst());
        } finally {
            stopping.set(true);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the probe failed: " + failure.get(), failure.get());
        }
        return result();
    }

    private void guarded(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            stopping.set(true);
        }
    }

    private Map<String, Object> producerConfig(String transactionalId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.putAll(settings.producerSettings());
        return config;
    }

    private Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putAll(settings.consumerSettings());
        return config;
    }

    private void source(String topic) throws InterruptedException {
        int total = settings.warmup() + settings.messages();
        try (KafkaProducer<Long, byte[]> producer = new KafkaProducer<>(producerConfig(settings.name("source")),
                new LongSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (long id = 0; id < total && !stopping.get(); id++) {
                Trace trace = new Trace(sinkPoint + 1);
                traces.put(id, trace);
                trace.at[0] = System.nanoTime();
                producer.beginTransaction();
                try {
                    producer.send(new ProducerRecord<>(topic, id, ByteBuffer.allocate(8).putLong(id).array())).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("source send failed: " + e.getCause(), e.getCause());
                }
                trace.at[1] = System.nanoTime();
                producer.commitTransaction();
                trace.at[2] = System.nanoTime();
                awaitArrival(trace);
                TimeUnit.NANOSECONDS.sleep(settings.interval().toNanos());
            }
        }
    }

    /** Waits for the record to reach the sink, so that every record travels alone (the low-rate case). */
    private void awaitArrival(Trace trace) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (trace) {
            while (trace.at[sinkPoint] < 0 && !stopping.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("a record did not reach the sink within 30 s");
                }
                TimeUnit.NANOSECONDS.timedWait(trace, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    /** Forwards each record of stage s's input topic to its output topic, one transaction per poll. */
    private void relay(List<Integer> stages, List<String> topics, CountDownLatch ready) {
        String id = settings.name("relay-" + stages.getFirst());
        Map<String, Integer> stageOf = new HashMap<>();
        stages.forEach(stage -> stageOf.put(topics.get(stage - 1), stage));
        try (KafkaConsumer<Long, byte[]> consumer = new KafkaConsumer<>(consumerConfig(id),
                new LongDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<Long, byte[]> producer = new KafkaProducer<>(producerConfig(id),
                     new LongSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(stageOf.keySet());
            while (!stopping.get()) {
                ConsumerRecords<Long, byte[]> records = consumer.poll(Duration.ofMillis(100));
                signalAssigned(consumer, stages.size(), ready);
                if (records.isEmpty()) {
                    continue;
                }
                long polled = System.nanoTime();
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<Long, byte[]> record : records) {
                    producer.send(new ProducerRecord<>(topics.get(stageOf.get(record.topic())), record.key(), record.value()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                long sent = System.nanoTime();
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                long offsetsDone = System.nanoTime();
                producer.commitTransaction();
                long committed = System.nanoTime();
                for (ConsumerRecord<Long, byte[]> record : records) {
                    Trace trace = traces.get(record.key());
                    int base = 3 + 4 * (stageOf.get(record.topic()) - 1);
                    if (trace != null) {
                        trace.at[base] = polled;
                        trace.at[base + 1] = sent;
                        trace.at[base + 2] = offsetsDone;
                        trace.at[base + 3] = committed;
                    }
                }
            }
        }
    }

    private void sink(String topic, CountDownLatch ready) {
        try (KafkaConsumer<Long, byte[]> consumer = new KafkaConsumer<>(consumerConfig(settings.name("sink")),
                new LongDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!stopping.get()) {
                ConsumerRecords<Long, byte[]> records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                signalAssigned(consumer, 1, ready);
                for (ConsumerRecord<Long, byte[]> record : records) {
                    Trace trace = traces.get(record.key());
                    if (trace != null) {
                        synchronized (trace) {
                            trace.at[sinkPoint] = now;
                            trace.notifyAll();
                        }
                    }
                }
            }
        }
    }

    /** Counts down once per consumer, when it owns every partition of its topic (a new group: the only member). */
    private void signalAssigned(KafkaConsumer<?, ?> consumer, int topics, CountDownLatch ready) {
        if (consumer.assignment().size() == topics * settings.partitions() && assigned.add(consumer)) {
            ready.countDown();
        }
    }

    private Result result() {
        Map<String, Histogram> stages = new LinkedHashMap<>();
        stage(stages, "source: send -> acknowledged", 0, 1);
        stage(stages, "source: commitTransaction (EndTxn)", 1, 2);
        int previousCommit = 2;
        for (int stage = 1; stage <= settings.stages(); stage++) {
            int base = 3 + 4 * (stage - 1);
            stage(stages, "stage " + stage + ": upstream commit -> polled (markers, LSO, fetch)", previousCommit, base);
            stage(stages, "stage " + stage + ": sendOffsetsToTransaction", base + 1, base + 2);
            stage(stages, "stage " + stage + ": commitTransaction (flush + EndTxn)", base + 2, base + 3);
            stage(stages, "stage " + stage + ": polled -> committed (the relay's own time)", base, base + 3);
            previousCommit = base + 3;
        }
        stage(stages, "sink: upstream commit -> polled (markers, LSO, fetch)", previousCommit, sinkPoint);
        stage(stages, "end to end: send -> sink polled", 0, sinkPoint);
        if (settings.stages() > 0) {
            Histogram perHop = newHistogram();
            traces.entrySet().stream().filter(e -> e.getKey() >= settings.warmup()).map(Map.Entry::getValue)
                    .filter(t -> t.at[sinkPoint] > 0)
                    .forEach(t -> perHop.recordValue(Math.max(0, (t.at[sinkPoint] - t.at[0]) / 1000 / (settings.stages() + 1))));
            stages.put("end to end / hops (" + (settings.stages() + 1) + ")", perHop);
        }
        return new Result(stages, stages.get("end to end: send -> sink polled").getTotalCount() > 0
                ? (int) stages.get("end to end: send -> sink polled").getTotalCount() : 0);
    }

    private void stage(Map<String, Histogram> stages, String name, int from, int to) {
        Histogram histogram = newHistogram();
        traces.forEach((id, trace) -> {
            if (id >= settings.warmup() && trace.at[from] > 0 && trace.at[to] > 0) {
                histogram.recordValue(Math.max(0, (trace.at[to] - trace.at[from]) / 1000));
            }
        });
        stages.put(name, histogram);
    }

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    }
}

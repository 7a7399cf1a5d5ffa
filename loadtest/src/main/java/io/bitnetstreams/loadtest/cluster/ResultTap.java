package io.bitnetstreams.loadtest.cluster;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.loadtest.measure.Outcome;
import io.bitnetstreams.loadtest.measure.RequestLedger;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.SerdeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the pipeline answers, from the current ends on: the final results and dead letters (how each request
 * ended) and the workers' results (their queue and engine timings), read_committed, without a consumer group. Each
 * record goes to the run's {@link RequestLedger}; {@code onEnded} hears of every request that ended.
 */
public final class ResultTap implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResultTap.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
    private final RequestLedger ledger;
    private final Consumer<String> onEnded;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public ResultTap(Map<String, Object> clientConfig, Map<String, Object> serdeConfig, TopicNames topics,
                     RequestLedger ledger, Consumer<String> onEnded) {
        this.ledger = ledger;
        this.onEnded = onEnded;
        deserializer.configure(serdeConfig, false);
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // answers should be seen as soon as they are committed
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.classificationResults(), topics.extractionResults(), topics.generationResults(),
                    topics.deadLetters(), topics.workResults())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist: is the topology running?");
                }
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(partition -> consumer.position(partition, Duration.ofSeconds(30)));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        Thread.ofPlatform().daemon().name("loadtest-result-tap").start(this::run);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    dispatch(record);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            LOG.error("result tap stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            deserializer.close();
            stopped.countDown();
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        Object value;
        try {
            value = deserializer.deserialize(record.topic(), record.value());
        } catch (SerdeException e) {
            LOG.debug("skipping an unreadable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        switch (value) {
            case WorkResult r -> ledger.workResult(r.getRequestId(), r.getTimings().getQueuedMs(), r.getTimings().getInferenceMs(),
                    r.getCompletedAt().toEpochMilli());
            case ClassificationResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case ExtractionResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case GenerationResult r -> ended(r.getRequestId(), outcome(r.getStatus()), r.getUsage(), r.getError(), r.getCompletedAt());
            case DeadLetter d when d.getRequestId() != null -> ended(d.getRequestId(), Outcome.DEAD_LETTER, null,
                    d.getReason() + ": " + d.getMessage(), d.getFailedAt());
            default -> { }
        }
    }

    private void ended(String id, Outcome outcome, Usage usage, String error, java.time.Instant madeAt) {
        boolean first = ledger.ended(id, outcome, usage == null ? 0 : usage.getPromptTokens(),
                usage == null ? 0 : usage.getGeneratedTokens(), error, madeAt == null ? -1 : madeAt.toEpochMilli());
        if (first) {
            onEnded.accept(id);
        }
    }

    static Outcome outcome(ResultStatus status) {
        return switch (status) {
            case DONE -> Outcome.DONE;
            case PARTIAL -> Outcome.PARTIAL;
            case FAILED -> Outcome.FAILED;
        };
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("result tap did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

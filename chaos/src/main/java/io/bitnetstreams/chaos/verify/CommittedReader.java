package io.bitnetstreams.chaos.verify;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.chaos.workload.Content;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.SerdeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pipeline's answers (the three final-result topics and the dead-letter topic) from the beginning,
 * {@code read_committed}, without a consumer group, into a {@link Ledger}. Used twice per run: following the
 * topics while the faults happen ({@link #follow}), and once at the end with a fresh consumer up to the last stable
 * offsets ({@link #readToEnd}). A record it cannot decode (the registry is restarting) is read again, never
 * skipped: skipping would look like a lost answer.
 */
public final class CommittedReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommittedReader.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
    private final Ledger ledger;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile long records;
    private volatile boolean following;

    public CommittedReader(Map<String, Object> clientConfig, Map<String, Object> serdeConfig, List<String> topics,
                           Ledger ledger) {
        this(clientConfig, serdeConfig, topics, ledger, true);
    }

    /**
     * {@code committedOnly} false reads {@code read_uncommitted}: a negative control only (the output of aborted
     * transactions, e.g. of a killed worker, then shows up as duplicates), never a verdict on the pipeline.
     */
    public CommittedReader(Map<String, Object> clientConfig, Map<String, Object> serdeConfig, List<String> topics,
                           Ledger ledger, boolean committedOnly) {
        this.ledger = ledger;
        deserializer.configure(serdeConfig, false);
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMinutes(1));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Starts following on its own thread until {@link #close}. */
    public CommittedReader follow() {
        following = true;
        Thread.ofPlatform().daemon().name("chaos-verifier").start(() -> {
            try {
                while (running) {
                    pollOnce();
                }
            } catch (WakeupException e) {
                // close() woke us up
            } catch (RuntimeException e) {
                LOG.error("the live verifier stopped", e);
            } finally {
                stopped.countDown();
            }
        });
        return this;
    }

    /**
     * Reads until every partition's position has reached its last stable offset (all transactions there decided);
     * false when that does not happen within {@code timeout}.
     */
    public boolean readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofMinutes(1));
        while (System.nanoTime() < deadline) {
            pollOnce();
            boolean done = true;
            for (TopicPartition partition : partitions) {
                if (consumer.position(partition, Duration.ofMinutes(1)) < ends.get(partition)) {
                    done = false;
                    break;
                }
            }
            if (done) {
                return true;
            }
        }
        return false;
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        for (TopicPartition partition : batch.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : batch.records(partition)) {
                if (!dispatch(record)) {
                    // read it again after a pause (the registry may be restarting); the rest of the batch too
                    consumer.seek(partition, record.offset());
                    pause();
                    break;
                }
            }
        }
    }

    private boolean dispatch(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return true;
        }
        Object value;
        try {
            value = deserializer.deserialize(record.topic(), record.value());
        } catch (SerdeException e) {
            LOG.warn("cannot decode {}-{}@{} yet ({}); reading it again", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return false;
        }
        records++;
        switch (value) {
            case ClassificationResult r -> ledger.result(r.getRequestId(), Content.of(r));
            case ExtractionResult r -> ledger.result(r.getRequestId(), Content.of(r));
            case GenerationResult r -> ledger.result(r.getRequestId(), Content.of(r));
            case DeadLetter d -> ledger.deadLetter(d.getRequestId(), d.getReason() + ": " + d.getMessage());
            default -> LOG.warn("unexpected record type {} on {}", value.getClass().getName(), record.topic());
        }
        return true;
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records read so far. */
    public long records() {
        return records;
    }

    @Override
    public void close() {
        running = false;
        if (following) {
            consumer.wakeup();
            try {
                stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
        deserializer.close();
    }
}

package io.bitnetstreams.launcher.client;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.SerdeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * Reads the final records (the three result topics and the dead-letter topic) with read_committed, starting at their
 * current ends, and hands each one with its request id to a handler. No consumer group: every run sees every record.
 */
public final class ResultListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResultListener.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
    private final BiConsumer<String, Object> handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    private ResultListener(Map<String, Object> consumerConfig, Map<String, Object> serdeConfig, TopicNames topics,
                           Duration metadataTimeout, BiConsumer<String, Object> handler) {
        this.handler = handler;
        deserializer.configure(serdeConfig, false);
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.classificationResults(), topics.extractionResults(),
                    topics.generationResults(), topics.deadLetters())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, metadataTimeout);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist: is the topology running?");
                }
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // resolve the end offsets now: records produced after this constructor returns are all seen
            partitions.forEach(partition -> consumer.position(partition, metadataTimeout));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = Thread.ofPlatform().daemon().name("result-listener").start(this::run);
    }

    /** Starts listening at the current end of every final topic; {@code handler} runs on the listener thread. */
    public static ResultListener start(Map<String, Object> consumerConfig, Map<String, Object> serdeConfig,
                                       TopicNames topics, Duration metadataTimeout, BiConsumer<String, Object> handler) {
        return new ResultListener(consumerConfig, serdeConfig, topics, metadataTimeout, handler);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    dispatch(record);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            LOG.error("result listener stopped", e);
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
            LOG.warn("skipping an unreadable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        ResultMapper.requestId(value).ifPresent(id -> handler.accept(id, value));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("result listener did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

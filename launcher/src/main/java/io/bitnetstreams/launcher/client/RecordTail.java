package io.bitnetstreams.launcher.client;

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
 * Follows topics of the pipeline's Avro records from their current ends, read_committed and without a consumer group
 * (every reader sees every record), and hands each decoded value to a handler on its own thread. Unreadable records
 * are logged and skipped. The one tail behind {@link ResultListener} and the load test's result tap.
 */
public final class RecordTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordTail.class);

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<SpecificRecord> deserializer;
    /** False when the caller lent the deserializer (and closes it). */
    private final boolean ownsDeserializer;
    private final Duration pollInterval;
    private final BiConsumer<Object, Long> handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private RecordTail(String name, Map<String, Object> consumerConfig, AvroDeserializer<SpecificRecord> deserializer,
                       boolean ownsDeserializer, List<String> topics, Duration metadataTimeout, Duration pollInterval,
                       BiConsumer<Object, Long> handler) {
        this.name = name;
        this.pollInterval = pollInterval;
        this.handler = handler;
        this.deserializer = deserializer;
        this.ownsDeserializer = ownsDeserializer;
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
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
        Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /**
     * Starts following {@code topics} at their current ends; {@code handler} runs on a thread called {@code name}.
     * Fails when a topic does not exist within {@code metadataTimeout}.
     */
    public static RecordTail start(String name, Map<String, Object> consumerConfig, Map<String, Object> serdeConfig,
                                   List<String> topics, Duration metadataTimeout, Duration pollInterval,
                                   Consumer<Object> handler) {
        return new RecordTail(name, consumerConfig, configured(serdeConfig), true, topics, metadataTimeout, pollInterval,
                (value, timestamp) -> handler.accept(value));
    }

    /**
     * As {@link #start}, decoding with the caller's {@code deserializer} (which the tail does not close: tails started
     * one after another share its cache of schemas, so only the first one asks the registry), and the handler also
     * gets each record's Kafka timestamp (epoch ms; for the pipeline's own records the producer's send time), which
     * the load test uses to time hops.
     */
    public static RecordTail startTimed(String name, Map<String, Object> consumerConfig,
                                        AvroDeserializer<SpecificRecord> deserializer, List<String> topics,
                                        Duration metadataTimeout, Duration pollInterval, BiConsumer<Object, Long> handler) {
        return new RecordTail(name, consumerConfig, deserializer, false, topics, metadataTimeout, pollInterval, handler);
    }

    private static AvroDeserializer<SpecificRecord> configured(Map<String, Object> serdeConfig) {
        AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(serdeConfig, false);
        return deserializer;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(pollInterval)) {
                    dispatch(record);
                }
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            LOG.error("{} stopped", name, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            if (ownsDeserializer) {
                deserializer.close();
            }
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
            LOG.warn("{}: skipping an unreadable record at {}-{}@{}: {}", name, record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        handler.accept(value, record.timestamp());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("{} did not stop within 10 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

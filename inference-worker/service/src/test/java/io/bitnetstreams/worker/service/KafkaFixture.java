package io.bitnetstreams.worker.service;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.config.WorkerConfigLoader;
import io.bitnetstreams.worker.executor.WorkExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics, producers and read_committed readers of one test, named uniquely. */
final class KafkaFixture {

    final EmbeddedKafkaCluster kafka;
    final SchemaRegistryProcess registry;
    final String workTopic;
    final String resultsTopic;
    final String deadLetterTopic;
    /** The classification results topic: where a worker publishes the final results of one-part requests. */
    final String finalResultsTopic;
    final String group;
    final List<WorkerService> workers = new ArrayList<>();

    KafkaFixture(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, int partitions) {
        this.kafka = kafka;
        this.registry = registry;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.workTopic = "work-" + suffix;
        this.resultsTopic = "results-" + suffix;
        this.deadLetterTopic = "dead-" + suffix;
        this.finalResultsTopic = "final-" + suffix;
        this.group = "workers-" + suffix;
        kafka.createTopic(workTopic, partitions);
        kafka.createTopic(resultsTopic, 3);
        kafka.createTopic(deadLetterTopic, 1);
        kafka.createTopic(finalResultsTopic, 3);
    }

    Map<String, String> serde() {
        return Map.of("schema.registry.url", registry.url());
    }

    WorkerConfig config(String instanceId, int capacity) {
        return config(instanceId, capacity, Map.of());
    }

    WorkerConfig config(String instanceId, int capacity, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("bitnet.model", "test");
        values.put("bitnet.instance.id", instanceId);
        values.put("bootstrap.servers", kafka.bootstrapServers());
        values.put("schema.registry.url", registry.url());
        values.put("bitnet.tasks", "classify");
        values.put("bitnet.topic.work.classify", workTopic);
        values.put("bitnet.topic.work.results", resultsTopic);
        values.put("bitnet.topic.dlq", deadLetterTopic);
        values.put("bitnet.topic.results.classification", finalResultsTopic);
        values.put("group.id", group);
        values.put("bitnet.queue.capacity", String.valueOf(capacity));
        values.put("bitnet.commit.interval.ms", "100");
        values.put("bitnet.revoke.grace.ms", "3000");
        values.put("bitnet.shutdown.grace.ms", "5000");
        values.put("bitnet.http.port", "-1");
        values.put("session.timeout.ms", "6000");
        values.put("heartbeat.interval.ms", "500");
        values.putAll(overrides);
        return WorkerConfigLoader.fromMap(values, Map.of());
    }

    WorkerService startWorker(String instanceId, WorkExecutor executor) {
        return startWorker(instanceId, executor, Map.of());
    }

    WorkerService startWorker(String instanceId, WorkExecutor executor, Map<String, String> overrides) {
        return startWorker(instanceId, executor, overrides, WorkerMetrics.inMemory());
    }

    WorkerService startWorker(String instanceId, WorkExecutor executor, Map<String, String> overrides, WorkerMetrics metrics) {
        WorkerService worker = new WorkerService(config(instanceId, executor.queueCapacity(), overrides), executor,
                metrics, Clock.systemUTC());
        worker.start();
        workers.add(worker);
        return worker;
    }

    void produce(List<WorkItem> items) {
        Map<String, Object> props = new HashMap<>(kafka.producerConfig());
        props.putAll(serde());
        AvroSerializer<WorkItem> serializer = new AvroSerializer<>();
        serializer.configure(props, false);
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (WorkItem item : items) {
                producer.send(new ProducerRecord<>(workTopic, item.getRequestId(), item));
            }
            producer.flush();
        }
    }

    void produceRaw(int partition, String key, byte[] value) {
        try (var producer = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(workTopic, partition, key.getBytes(StandardCharsets.UTF_8), value));
            producer.flush();
        }
    }

    List<WorkResult> committedResults() {
        return readAll(resultsTopic, WorkResult.class);
    }

    List<DeadLetter> committedDeadLetters() {
        return readAll(deadLetterTopic, DeadLetter.class);
    }

    /** The committed final results, each with the partition it is on. */
    List<ConsumerRecord<byte[], ClassificationResult>> committedFinalResults() {
        return readRecords(finalResultsTopic, ClassificationResult.class, true);
    }

    /** Every record written to the topic, aborted and open transactions included (read_uncommitted). */
    <T extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<byte[], T>> everythingWritten(String topic, Class<T> type) {
        return readRecords(topic, type, false);
    }

    /** Everything committed on the topic up to its current end (read_committed). */
    private <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, Class<T> type) {
        return readRecords(topic, type, true).stream().map(ConsumerRecord::value).toList();
    }

    /** Everything on the topic up to its current end: committed only (read_committed), or everything written. */
    private <T extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<byte[], T>> readRecords(String topic,
            Class<T> type, boolean committedOnly) {
        Map<String, Object> props = new HashMap<>(kafka.readCommittedConsumerConfig("reader-" + UUID.randomUUID()));
        props.put("enable.auto.commit", "false");
        if (!committedOnly) {
            props.put("isolation.level", "read_uncommitted");
        }
        AvroDeserializer<T> deserializer = new AvroDeserializer<>(type);
        deserializer.configure(serde(), false);
        List<ConsumerRecord<byte[], T>> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 20_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], T> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record);
                }
            }
        }
        return values;
    }

    /** The consumer group's committed offset of every work partition (missing: none committed). */
    Map<TopicPartition, Long> committedWorkOffsets() throws Exception {
        try (var admin = kafka.createAdmin()) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((partition, offset) -> {
                if (offset != null && partition.topic().equals(workTopic)) {
                    offsets.put(partition, offset.offset());
                }
            });
            return offsets;
        }
    }

    /** The end offset of every work partition. */
    Map<TopicPartition, Long> workEndOffsets() {
        try (var consumer = new KafkaConsumer<>(kafka.consumerConfig("ends-" + UUID.randomUUID()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(workTopic).stream()
                    .map(p -> new TopicPartition(workTopic, p.partition())).toList();
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            ends.values().removeIf(end -> end == 0);
            return ends;
        }
    }

    void stopAll() throws InterruptedException {
        for (WorkerService worker : workers) {
            worker.shutdown();
        }
        for (WorkerService worker : workers) {
            worker.awaitTermination(Duration.ofSeconds(30));
        }
    }
}

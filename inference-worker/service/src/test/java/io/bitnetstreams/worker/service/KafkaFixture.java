package io.bitnetstreams.worker.service;

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
    final String group;
    final List<WorkerService> workers = new ArrayList<>();

    KafkaFixture(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, int partitions) {
        this.kafka = kafka;
        this.registry = registry;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.workTopic = "work-" + suffix;
        this.resultsTopic = "results-" + suffix;
        this.deadLetterTopic = "dead-" + suffix;
        this.group = "workers-" + suffix;
        kafka.createTopic(workTopic, partitions);
        kafka.createTopic(resultsTopic, 3);
        kafka.createTopic(deadLetterTopic, 1);
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
        WorkerService worker = new WorkerService(config(instanceId, executor.queueCapacity(), overrides), executor,
                WorkerMetrics.inMemory(), Clock.systemUTC());
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

    /** Everything committed on the topic up to its current end (read_committed). */
    private <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, Class<T> type) {
        Map<String, Object> props = new HashMap<>(kafka.readCommittedConsumerConfig("reader-" + UUID.randomUUID()));
        props.put("enable.auto.commit", "false");
        AvroDeserializer<T> deserializer = new AvroDeserializer<>(type);
        deserializer.configure(serde(), false);
        List<T> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 20_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], T> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
            }
        }
        return values;
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

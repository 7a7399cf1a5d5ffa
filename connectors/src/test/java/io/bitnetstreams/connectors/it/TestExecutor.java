package io.bitnetstreams.connectors.it;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for the inference workers (to keep CI time bounded): answers every work item deterministically. A
 * classification picks the label at {@code words % labels}; an extraction fills the schema's properties
 * from the text ({@link #extraction}).
 */
final class TestExecutor implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    TestExecutor(Map<String, Object> consumerConfig, Map<String, Object> producerConfig, Map<String, Object> serdeConfig,
            List<String> workTopics, String resultsTopic) {
        thread = Thread.ofPlatform().name("test-executor").daemon().start(() -> run(consumerConfig, producerConfig,
                serdeConfig, workTopics, resultsTopic));
    }

    private void run(Map<String, Object> consumerConfig, Map<String, Object> producerConfig,
            Map<String, Object> serdeConfig, List<String> workTopics, String resultsTopic) {
        var items = new AvroDeserializer<>(WorkItem.class);
        items.configure(serdeConfig, false);
        var results = new AvroSerializer<WorkResult>();
        results.configure(serdeConfig, false);
        Map<String, Object> consumerSettings = new HashMap<>(consumerConfig);
        consumerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
             var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(workTopics);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    WorkItem item = items.deserialize(record.topic(), record.value());
                    producer.send(new ProducerRecord<>(resultsTopic, item.getRequestId(),
                            results.serialize(resultsTopic, answer(item))));
                }
                producer.flush();
                consumer.commitSync();
            }
        }
    }

    /** By word count: survives the whitespace differences of text extraction (PDF). */
    static String label(String text, List<String> labels) {
        return labels.get(text.strip().split("\\s+").length % labels.size());
    }

    /** {"title": first word, "words": word count, "is_long": more than 10 words}. */
    static String extraction(String text) {
        String[] words = text.strip().split("\\s+");
        return "{\"title\":\"" + words[0].replaceAll("[^A-Za-z0-9]", "") + "\",\"words\":" + words.length
                + ",\"is_long\":" + (words.length > 10) + "}";
    }

    private static WorkResult answer(WorkItem item) {
        Object output = switch (item.getTask()) {
            case ClassifyTask classify -> {
                String chosen = label(item.getText(), classify.getLabels());
                Map<String, Double> probabilities = new LinkedHashMap<>();
                Map<String, Double> logs = new LinkedHashMap<>();
                for (String label : classify.getLabels()) {
                    double p = label.equals(chosen) ? 0.8 : 0.2 / (classify.getLabels().size() - 1);
                    probabilities.put(label, p);
                    logs.put(label, Math.log(p));
                }
                yield new ClassificationOutput(probabilities, logs, chosen, List.of(chosen));
            }
            case ExtractTask ignored -> new ExtractionOutput(extraction(item.getText()), ExtractionStatus.COMPLETE);
            default -> new GenerationOutput("ok", FinishReason.STOP);
        };
        return WorkResult.newBuilder().setRequestId(item.getRequestId()).setChunkIndex(item.getChunkIndex())
                .setChunkCount(item.getChunkCount()).setStatus(WorkStatus.OK).setOutput(output)
                .setUsage(new Usage(item.getText().length(), 1)).setTimings(new WorkTimings(0L, 1L, 0L, 0L, 1L))
                .setWorkerId("test-executor").setModelId("test-executor").setCompletedAt(Instant.now()).build();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

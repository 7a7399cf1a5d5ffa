package io.bitnetstreams.topology;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.schemas.serde.AvroSerde;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import io.bitnetstreams.topology.config.RepartitionTopicNames;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline with its serdes. Keys are request ids (UTF-8 strings); values are Avro in the
 * Confluent wire format. The topology reads {@link #requests()} and {@link #workResults()} as raw bytes and decodes
 * them itself with these serdes, so that bad records take a visible dead-letter branch. {@link #requestsById()} and
 * {@link #workResultsById()} are the topology's own repartition topics: they hold the input records' bytes unchanged
 * (so the same serdes), moved to the partition of their request id.
 */
public record Topics(
        TopicSpec<String, InferenceRequest> requests,
        TopicSpec<String, DeadLetter> deadLetters,
        TopicSpec<String, WorkItem> workClassify,
        TopicSpec<String, WorkItem> workExtract,
        TopicSpec<String, WorkItem> workGenerate,
        TopicSpec<String, WorkResult> workResults,
        TopicSpec<String, ClassificationResult> classificationResults,
        TopicSpec<String, ExtractionResult> extractionResults,
        TopicSpec<String, GenerationResult> generationResults,
        TopicSpec<String, InferenceRequest> requestsById,
        TopicSpec<String, WorkResult> workResultsById) {

    /** Serdes sharing one registry client (not closed by them), configured with {@code serdeConfig}. */
    public static Topics create(TopicNames names, RepartitionTopicNames repartitions, SchemaRegistryClient registry,
            Map<String, ?> serdeConfig) {
        return new Topics(
                spec(names.requests(), InferenceRequest.class, registry, serdeConfig),
                spec(names.deadLetters(), DeadLetter.class, registry, serdeConfig),
                spec(names.workClassify(), WorkItem.class, registry, serdeConfig),
                spec(names.workExtract(), WorkItem.class, registry, serdeConfig),
                spec(names.workGenerate(), WorkItem.class, registry, serdeConfig),
                spec(names.workResults(), WorkResult.class, registry, serdeConfig),
                spec(names.classificationResults(), ClassificationResult.class, registry, serdeConfig),
                spec(names.extractionResults(), ExtractionResult.class, registry, serdeConfig),
                spec(names.generationResults(), GenerationResult.class, registry, serdeConfig),
                spec(repartitions.requestsById(), InferenceRequest.class, registry, serdeConfig),
                spec(repartitions.workResultsById(), WorkResult.class, registry, serdeConfig));
    }

    public List<TopicSpec<?, ?>> all() {
        return List.of(requests, deadLetters, workClassify, workExtract, workGenerate, workResults,
                classificationResults, extractionResults, generationResults, requestsById, workResultsById);
    }

    private static <V extends SpecificRecord> TopicSpec<String, V> spec(String name, Class<V> type,
            SchemaRegistryClient registry, Map<String, ?> serdeConfig) {
        var serde = new AvroSerde<>(type, registry);
        serde.configure(serdeConfig, false);
        return new TopicSpec<>(name, Serdes.String(), serde);
    }
}

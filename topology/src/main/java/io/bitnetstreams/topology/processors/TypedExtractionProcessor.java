package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.schemas.typed.JsonSchemaToAvro;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes every final extraction result on to its sink unchanged and, when the request carried a JSON Schema
 * ({@link TypedSchemaProcessor}), also publishes it as a typed Avro record ({@link JsonSchemaToAvro}) to the typed
 * sink. A schema that cannot be mapped (too deep, too many fields) only costs the typed copy, logged once per result.
 */
public final class TypedExtractionProcessor implements Processor<String, Object, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(TypedExtractionProcessor.class);
    private static final int MAX_CACHED_MAPPINGS = 256;

    private final String storeName;
    private final String resultSink;
    private final String typedSink;
    private final Map<String, JsonSchemaToAvro.Mapping> mappings = new LinkedHashMap<>(16, 0.75f, true);
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, String> schemas;

    public TypedExtractionProcessor(String storeName, String resultSink, String typedSink) {
        this.storeName = storeName;
        this.resultSink = resultSink;
        this.typedSink = typedSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.schemas = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, Object> record) {
        context.forward(record, resultSink);
        if (!(record.value() instanceof ExtractionResult result)) {
            return;
        }
        String entry = schemas.get(result.getRequestId());
        if (entry == null) {
            return;
        }
        schemas.delete(result.getRequestId());
        try {
            JsonSchemaToAvro.Mapping mapping = mapping(TypedSchemaProcessor.TypedEntry.schema(entry));
            GenericRecord typed = JsonSchemaToAvro.toRecord(mapping, result.getRequestId(), result.getStatus().name(),
                    result.getCompletedAt().toEpochMilli(), result.getOutput() == null ? null : result.getOutput().getJson());
            context.forward(new Record<String, Object>(record.key(), typed, record.timestamp()), typedSink);
        } catch (IllegalArgumentException e) {
            LOG.warn("no typed record for {}: {}", result.getRequestId(), e.getMessage());
        }
    }

    private JsonSchemaToAvro.Mapping mapping(String jsonSchema) {
        JsonSchemaToAvro.Mapping mapping = mappings.get(jsonSchema);
        if (mapping == null) {
            mapping = JsonSchemaToAvro.map(jsonSchema);
            if (mappings.size() >= MAX_CACHED_MAPPINGS) {
                mappings.remove(mappings.keySet().iterator().next());
            }
            mappings.put(jsonSchema, mapping);
        }
        return mapping;
    }
}

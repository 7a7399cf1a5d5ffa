package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.schemas.serde.SerdeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Remembers the JSON Schema of every extraction request (by request id) so that its final result can also be
 * published as a typed record ({@link TypedExtractionProcessor}). Reads the requests as they arrive, beside the main
 * branch, which alone validates and dead-letters them: undecodable records are simply skipped here. Entries of
 * requests that never finish (dead-lettered ones) are forgotten after the dedupe window.
 */
public final class TypedSchemaProcessor implements Processor<byte[], byte[], Void, Void> {

    private final Deserializer<InferenceRequest> deserializer;
    private final String topic;
    private final String storeName;
    private final Duration retention;
    private final Duration cleanupInterval;
    private final int maxRecordBytes;
    private KeyValueStore<String, String> schemas;

    public TypedSchemaProcessor(Deserializer<InferenceRequest> deserializer, String topic, String storeName,
            Duration retention, Duration cleanupInterval, int maxRecordBytes) {
        this.deserializer = deserializer;
        this.topic = topic;
        this.storeName = storeName;
        this.retention = retention;
        this.cleanupInterval = cleanupInterval;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        schemas = context.getStateStore(storeName);
        context.schedule(cleanupInterval, PunctuationType.WALL_CLOCK_TIME, this::forgetOld);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null || record.value().length > maxRecordBytes) {
            return; // the main branch dead-letters it
        }
        InferenceRequest request;
        try {
            request = deserializer.deserialize(topic, record.value());
        } catch (SerdeException e) {
            return; // the main branch dead-letters it
        }
        if (request.getTask() instanceof ExtractTask extract && schemas.get(request.getRequestId()) == null) {
            // the first request of an id wins, as in dedupe: a later duplicate never reaches the workers
            schemas.put(request.getRequestId(), TypedEntry.encode(System.currentTimeMillis(), extract.getJsonSchema()));
        }
    }

    private void forgetOld(long now) {
        List<String> old = new ArrayList<>();
        try (var all = schemas.all()) {
            all.forEachRemaining(entry -> {
                if (TypedEntry.storedAt(entry.value) < now - retention.toMillis()) {
                    old.add(entry.key);
                }
            });
        }
        old.forEach(schemas::delete);
    }

    /** Store values: {@code <epoch ms>\n<JSON Schema>}. */
    static final class TypedEntry {
        private TypedEntry() {}

        static String encode(long storedAt, String schema) {
            return storedAt + "\n" + schema;
        }

        static long storedAt(String value) {
            return Long.parseLong(value.substring(0, value.indexOf('\n')));
        }

        static String schema(String value) {
            return value.substring(value.indexOf('\n') + 1);
        }
    }
}

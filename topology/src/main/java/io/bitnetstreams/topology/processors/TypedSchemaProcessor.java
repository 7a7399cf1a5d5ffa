package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.InferenceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Remembers the JSON Schema of every extraction request (by request id) so that its final result can also be
 * published as a typed record ({@link TypedExtractionProcessor}). Sits in front of dedupe, on the requests as they
 * arrive by id (repartitioned or direct), and passes every record on unchanged; the main branch alone validates and
 * dead-letters them. Entries of requests that never finish (dead-lettered ones) are forgotten after the dedupe
 * window.
 */
public final class TypedSchemaProcessor implements Processor<String, Envelope<InferenceRequest>, String, Envelope<InferenceRequest>> {

    private final String storeName;
    private final Duration retention;
    private final Duration cleanupInterval;
    private final String next;
    private ProcessorContext<String, Envelope<InferenceRequest>> context;
    private KeyValueStore<String, String> schemas;

    public TypedSchemaProcessor(String storeName, Duration retention, Duration cleanupInterval, String next) {
        this.storeName = storeName;
        this.retention = retention;
        this.cleanupInterval = cleanupInterval;
        this.next = next;
    }

    @Override
    public void init(ProcessorContext<String, Envelope<InferenceRequest>> context) {
        this.context = context;
        schemas = context.getStateStore(storeName);
        context.schedule(cleanupInterval, PunctuationType.WALL_CLOCK_TIME, this::forgetOld);
    }

    @Override
    public void process(Record<String, Envelope<InferenceRequest>> record) {
        InferenceRequest request = record.value().value();
        String id = request.getRequestId();
        if (id != null && request.getTask() instanceof ExtractTask extract && schemas.get(id) == null) {
            // the first request of an id wins, as in dedupe: a later duplicate never reaches the workers
            schemas.put(id, TypedEntry.encode(System.currentTimeMillis(), extract.getJsonSchema()));
        }
        context.forward(record, next);
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

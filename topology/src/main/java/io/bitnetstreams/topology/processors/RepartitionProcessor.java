package io.bitnetstreams.topology.processors;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends a decoded record to a repartition topic's sink (which places it with a {@link RequestIdPartitioner}), as the
 * exact bytes it was read as, with its provenance stamped into the headers.
 */
public final class RepartitionProcessor<T> implements Processor<String, Envelope<T>, byte[], Envelope<T>> {

    private final String sink;
    private ProcessorContext<byte[], Envelope<T>> context;

    public RepartitionProcessor(String sink) {
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<byte[], Envelope<T>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Envelope<T>> record) {
        var headers = new RecordHeaders(record.headers().toArray());
        context.recordMetadata().ifPresent(metadata -> Provenance.of(headers, metadata.topic(), metadata.partition(),
                metadata.offset()).stamp(headers));
        context.forward(new Record<>(record.value().rawKey(), record.value(), record.timestamp(), headers), sink);
    }
}

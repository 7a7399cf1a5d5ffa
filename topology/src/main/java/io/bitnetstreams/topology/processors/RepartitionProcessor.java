package io.bitnetstreams.topology.processors;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends a decoded record to a repartition topic's sink (which places it with a {@link RequestIdPartitioner}), as the
 * exact bytes it was read as, with its provenance stamped into the headers.
 * <p>
 * With a direct stage ({@link #direct}), the processor runs in the task that owns the state partitions of the same
 * number as the input partitions it reads: a record read from the partition its request id belongs to (the
 * partitioner's own rule) goes straight to that stage instead, provenance stamped the same way, so that it skips one
 * exactly-once hop; any other record is repartitioned as before.
 */
public final class RepartitionProcessor<T> implements Processor<String, Envelope<T>, Object, Envelope<T>> {

    private final String sink;
    private final String directStage;
    private final RequestIdPartitioner<T> partitioner;
    private final int partitions;
    private ProcessorContext<Object, Envelope<T>> context;

    private RepartitionProcessor(String sink, String directStage, RequestIdPartitioner<T> partitioner, int partitions) {
        this.sink = sink;
        this.directStage = directStage;
        this.partitioner = partitioner;
        this.partitions = partitions;
    }

    /** Every record through the repartition topic. */
    public static <T> RepartitionProcessor<T> always(String sink) {
        return new RepartitionProcessor<>(sink, null, null, 0);
    }

    /**
     * Records already on the partition of their request id among {@code partitions} (the repartition topic's count,
     * equal to the input's) go to {@code directStage}, the others through the repartition topic.
     */
    public static <T> RepartitionProcessor<T> direct(String sink, String directStage, RequestIdPartitioner<T> partitioner,
            int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return new RepartitionProcessor<>(sink, directStage, partitioner, partitions);
    }

    @Override
    public void init(ProcessorContext<Object, Envelope<T>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Envelope<T>> record) {
        var headers = new RecordHeaders(record.headers().toArray());
        var metadata = context.recordMetadata();
        metadata.ifPresent(m -> Provenance.of(headers, m.topic(), m.partition(), m.offset()).stamp(headers));
        if (directStage != null && metadata.isPresent()
                && metadata.get().partition() == partitioner.partition(record.value().rawKey(), record.value(), partitions)) {
            context.forward(record.withHeaders(headers), directStage);
            return;
        }
        context.forward(new Record<>(record.value().rawKey(), record.value(), record.timestamp(), headers), sink);
    }
}

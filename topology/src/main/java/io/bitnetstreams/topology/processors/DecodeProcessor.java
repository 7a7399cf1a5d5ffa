package io.bitnetstreams.topology.processors;

import io.bitnetstreams.schemas.serde.SerdeException;
import io.bitnetstreams.topology.TopologyMetrics;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.schemas.DeadLetters;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes raw Avro bytes inside the topology: good records go on as {@link Envelope}s keyed by the key as text,
 * records that are not valid Avro, carry an unknown schema id or the wrong schema go to the dead-letter sink.
 * Registry outages are not caught: they fail the task so the record is retried, never dead-lettered.
 */
public final class DecodeProcessor<T> implements Processor<byte[], byte[], String, Object> {

    private final Deserializer<T> deserializer;
    private final String topic;
    private final String next;
    private final String stage;
    private final DeadLettering deadLettering;
    private final TopologyMetrics metrics;
    private final int maxRecordBytes;
    private final CommitPacer commits;
    private ProcessorContext<String, Object> context;
    private CommitPacer.Pace pace;

    public DecodeProcessor(Deserializer<T> deserializer, String topic, String next, String stage,
            DeadLettering deadLettering, TopologyMetrics metrics, int maxRecordBytes, CommitPacer commits) {
        this.deserializer = deserializer;
        this.topic = topic;
        this.next = next;
        this.stage = stage;
        this.deadLettering = deadLettering;
        this.metrics = metrics;
        this.maxRecordBytes = maxRecordBytes;
        this.commits = commits;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pace = commits.pace(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn(topic);
        pace.recordRead(); // every input passes here: its answer or its dead letter goes out with the next commit
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            deadLettering.send(context, record, record.key(), null, DeadLetterReason.MALFORMED_RECORD,
                    "record has no value (tombstone)", stage, null, null);
            return;
        }
        long size = record.value().length + (record.key() == null ? 0L : record.key().length);
        if (size > maxRecordBytes) {
            // it would not fit the producer once forwarded (repartition, work items): refuse it here, whole
            deadLettering.send(context, record, record.key(), record.value(), DeadLetterReason.INVALID_REQUEST,
                    "record of " + size + " bytes (key and value) exceeds the limit of " + maxRecordBytes
                            + " bytes (the producer's max.request.size less " + (DeadLetters.RESERVED_BYTES / 1024)
                            + " KiB)", stage, null, null);
            return;
        }
        T value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (SerdeException e) {
            deadLettering.send(context, record, record.key(), record.value(), e.deadLetterReason(), e.getMessage(),
                    stage, null, null);
            return;
        }
        context.forward(new Record<String, Object>(key, new Envelope<>(value, record.key(), record.value()),
                record.timestamp(), record.headers()), next);
    }
}

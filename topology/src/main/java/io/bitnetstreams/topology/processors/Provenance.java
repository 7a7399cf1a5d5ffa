package io.bitnetstreams.topology.processors;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where a record was first read from. A record that went through one of the topology's repartition topics carries
 * its input topic, partition and offset in headers, so that a dead letter raised after the repartition still points
 * at the record the producer wrote.
 *
 * @param topic     input topic
 * @param partition its partition
 * @param offset    its offset
 */
public record Provenance(String topic, int partition, long offset) {

    static final String TOPIC_HEADER = "bitnet.source.topic";
    static final String PARTITION_HEADER = "bitnet.source.partition";
    static final String OFFSET_HEADER = "bitnet.source.offset";

    /** The provenance in {@code headers}, else the given position (where the record is being read now). */
    public static Provenance of(Headers headers, String topic, int partition, long offset) {
        if (headers != null) {
            String stampedTopic = text(headers.lastHeader(TOPIC_HEADER));
            String stampedPartition = text(headers.lastHeader(PARTITION_HEADER));
            String stampedOffset = text(headers.lastHeader(OFFSET_HEADER));
            if (stampedTopic != null && stampedPartition != null && stampedOffset != null) {
                try {
                    return new Provenance(stampedTopic, Integer.parseInt(stampedPartition), Long.parseLong(stampedOffset));
                } catch (NumberFormatException e) {
                    // a producer's own header of the same name: not ours, fall back to the current position
                }
            }
        }
        return new Provenance(topic, partition, offset);
    }

    /** Writes this provenance into {@code headers}, replacing any earlier one. */
    public void stamp(Headers headers) {
        headers.remove(TOPIC_HEADER).remove(PARTITION_HEADER).remove(OFFSET_HEADER);
        headers.add(TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8))
                .add(PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.UTF_8))
                .add(OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

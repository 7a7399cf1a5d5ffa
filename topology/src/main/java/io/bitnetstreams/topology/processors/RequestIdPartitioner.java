package io.bitnetstreams.topology.processors;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The one rule that decides which partition (and so which task and state) a request belongs to: murmur2 of its
 * request id in UTF-8, the hash Kafka's Java producer uses for keys. It is applied by the topology itself when it
 * repartitions its inputs, so it does not matter how the producer of a request or of a work result partitioned it.
 * Records without a request id (validation dead-letters them) go by their raw key, or to partition 0.
 *
 * @param <V> the decoded value
 */
public final class RequestIdPartitioner<V> implements StreamPartitioner<byte[], Envelope<V>> {

    private final Function<V, String> requestId;

    public RequestIdPartitioner(Function<V, String> requestId) {
        this.requestId = requestId;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] rawKey, Envelope<V> envelope, int numPartitions) {
        return Optional.of(Set.of(partition(rawKey, envelope, numPartitions)));
    }

    /** The partition of a decoded record among {@code numPartitions} (also used to decide that it is already there). */
    public int partition(byte[] rawKey, Envelope<V> envelope, int numPartitions) {
        String id = envelope == null ? null : requestId.apply(envelope.value());
        if (id != null && !id.isEmpty()) {
            return partitionOf(id, numPartitions);
        }
        return rawKey == null ? 0 : Utils.toPositive(Utils.murmur2(rawKey)) % numPartitions;
    }

    /** The partition of {@code requestId} among {@code numPartitions}. */
    public static int partitionOf(String requestId, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }

    /** The same rule for lookups by request id (Interactive Queries of the stores keyed by it). */
    public static StreamPartitioner<String, Object> forKeys() {
        return (topic, requestId, value, numPartitions) -> Optional.of(Set.of(partitionOf(requestId, numPartitions)));
    }
}

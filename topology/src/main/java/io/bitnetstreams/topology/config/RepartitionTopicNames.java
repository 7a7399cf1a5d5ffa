package io.bitnetstreams.topology.config;

import java.util.List;

/**
 * The topics through which the topology moves its inputs to the partition of their request id, named after the
 * application id like Kafka Streams' own repartition topics (so that the application reset tool removes them too).
 * They belong to the topology: created with {@code bitnet.topics.partitions} partitions, never written by anyone
 * else.
 *
 * @param requestsById    decoded requests, on the partition of their request id
 * @param workResultsById decoded work results, on the partition of their request id
 */
public record RepartitionTopicNames(String requestsById, String workResultsById) {

    /** The names for {@code applicationId}. */
    public static RepartitionTopicNames of(String applicationId) {
        return new RepartitionTopicNames(applicationId + "-requests-by-id-repartition",
                applicationId + "-work-results-by-id-repartition");
    }

    public List<String> all() {
        return List.of(requestsById, workResultsById);
    }
}

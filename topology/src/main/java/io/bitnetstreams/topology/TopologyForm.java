package io.bitnetstreams.topology;

/**
 * Which inputs the stateful sub-topology reads itself (the "direct" form) and which reach it only through the
 * topology's repartition topics.
 * <p>
 * Request state lives on the partition of the request id ({@code RequestIdPartitioner}) among the {@code partitions}
 * of the repartition topics. When an input topic has exactly that many partitions, its partition p is read by the
 * task that owns state partition p: a record already on the partition of its id (a Java producer keyed by request
 * id, the contract) is processed there, in the same transaction, and only the others cross the repartition topic.
 * That saves one exactly-once hop (one transaction commit, ~10 ms p50 / ~20 ms p99 on the reference machine) per
 * input. With another partition count the input is read by a sub-topology of its own, as before, and every record
 * is repartitioned: merging would make Kafka Streams create tasks (and state partitions) for the larger count.
 * <p>
 * The form decides the sub-topologies and so the task ids: changing it (another partition count of an input, or
 * {@code bitnet.topology.direct.inputs}) needs all instances stopped before the restart, not a rolling upgrade.
 *
 * @param partitions        partitions of the repartition topics, i.e. of request state
 * @param requestsDirect    the requests topic is read by the stateful sub-topology
 * @param workResultsDirect the work results topic is read by the stateful sub-topology
 */
public record TopologyForm(int partitions, boolean requestsDirect, boolean workResultsDirect) {

    public TopologyForm {
        if ((requestsDirect || workResultsDirect) && partitions < 1) {
            throw new IllegalArgumentException("a direct input needs the partition count of the repartition topics");
        }
    }

    /** Every record through the repartition topics (the form before direct inputs). */
    public static TopologyForm repartitionOnly() {
        return new TopologyForm(0, false, false);
    }

    /**
     * The form for the actual partition counts: an input is direct when {@code allowDirect} and its count equals
     * that of the repartition topics.
     */
    public static TopologyForm of(boolean allowDirect, int repartitionPartitions, int requestPartitions,
            int workResultPartitions) {
        return new TopologyForm(repartitionPartitions, allowDirect && requestPartitions == repartitionPartitions,
                allowDirect && workResultPartitions == repartitionPartitions);
    }

    @Override
    public String toString() {
        return "requests " + (requestsDirect ? "direct" : "repartitioned") + ", work results "
                + (workResultsDirect ? "direct" : "repartitioned") + " (" + partitions + " state partitions)";
    }
}

package io.bitnetstreams.topology.http;

import io.bitnetstreams.topology.BitnetTopology;
import io.bitnetstreams.topology.state.RequestStatus;
import io.bitnetstreams.topology.processors.RequestIdPartitioner;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Status lookups through Interactive Queries: the local status store, or the instance that owns the key. */
public final class StreamsStatusSource implements StatusLookup.Source {

    private final KafkaStreams streams;
    private final HostInfo self;

    public StreamsStatusSource(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    @Override
    public StatusLookup find(String requestId, boolean localOnly) {
        try {
            if (!localOnly) {
                // the status store is partitioned by the topology's own rule, not by how the input was produced
                KeyQueryMetadata owner = streams.queryMetadataForKey(BitnetTopology.STATUS_STORE, requestId,
                        RequestIdPartitioner.forKeys());
                if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                    return new StatusLookup.Unavailable("no instance owns the status store yet (state "
                            + streams.state() + ")");
                }
                if (!owner.activeHost().equals(self)) {
                    return new StatusLookup.Elsewhere(owner.activeHost().host(), owner.activeHost().port());
                }
            }
            ReadOnlyKeyValueStore<String, RequestStatus> store = streams.store(StoreQueryParameters.fromNameAndType(
                    BitnetTopology.STATUS_STORE, QueryableStoreTypes.<String, RequestStatus>keyValueStore()));
            RequestStatus status = store.get(requestId);
            return status == null ? new StatusLookup.NotFound() : new StatusLookup.Found(status);
        } catch (InvalidStateStoreException e) {
            return new StatusLookup.Unavailable(e.getMessage());
        }
    }
}

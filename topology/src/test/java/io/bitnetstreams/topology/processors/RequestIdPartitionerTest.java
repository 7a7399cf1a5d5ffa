package io.bitnetstreams.topology.processors;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.InferenceRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RequestIdPartitionerTest {

    private final RequestIdPartitioner<InferenceRequest> partitioner = new RequestIdPartitioner<>(InferenceRequest::getRequestId);

    private static Envelope<InferenceRequest> envelope(String id, String rawKey) {
        var request = InferenceRequest.newBuilder().setRequestId(id).setTenant("t").setCreatedAt(java.time.Instant.EPOCH)
                .setTask(io.bitnetstreams.avro.GenerateTask.newBuilder().setPrompt("p").build()).setText("").build();
        return new Envelope<>(request, rawKey == null ? null : rawKey.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    @Test
    void placesByRequestIdWhateverTheKeyIsAndAgreesWithTheJavaProducersDefault() {
        for (int i = 0; i < 200; i++) {
            String id = "crc-probe-" + i;
            int expected = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), 7);
            assertThat(partitioner.partitions("t", "other-key".getBytes(StandardCharsets.UTF_8), envelope(id, "x"), 7))
                    .isEqualTo(Optional.of(Set.of(expected)));
            assertThat(RequestIdPartitioner.forKeys().partitions("t", id, null, 7)).isEqualTo(Optional.of(Set.of(expected)));
        }
    }

    @Test
    void spreadsIdsOverEveryPartition() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            used.addAll(partitioner.partitions("t", null, envelope("id-" + i, null), 5).orElseThrow());
        }
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    @Test
    void recordsWithoutIdGoByTheirKeyOrToPartitionZero() {
        assertThat(partitioner.partitions("t", "k".getBytes(StandardCharsets.UTF_8), envelope("", "k"), 5))
                .isEqualTo(Optional.of(Set.of(BuiltInPartitioner.partitionForKey("k".getBytes(StandardCharsets.UTF_8), 5))));
        assertThat(partitioner.partitions("t", null, envelope("", null), 5)).isEqualTo(Optional.of(Set.of(0)));
    }

    @Test
    void provenanceSurvivesInHeadersAndTheFirstStampWinsOverTheCurrentPosition() {
        var headers = new RecordHeaders();
        assertThat(Provenance.of(headers, "here", 1, 2)).isEqualTo(new Provenance("here", 1, 2));
        new Provenance("bitnet.requests", 4, 99).stamp(headers);
        assertThat(Provenance.of(headers, "repartition", 0, 7)).isEqualTo(new Provenance("bitnet.requests", 4, 99));
        new Provenance("again", 0, 1).stamp(headers);
        assertThat(headers.headers(Provenance.TOPIC_HEADER)).hasSize(1);
        headers.remove(Provenance.OFFSET_HEADER).add(Provenance.OFFSET_HEADER, "not a number".getBytes(StandardCharsets.UTF_8));
        assertThat(Provenance.of(headers, "here", 1, 2)).isEqualTo(new Provenance("here", 1, 2));
    }
}

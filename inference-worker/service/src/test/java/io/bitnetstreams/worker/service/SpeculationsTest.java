package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkItems;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SpeculationsTest {

    private static final TopicPartition P0 = new TopicPartition("work", 0);
    private static final TopicPartition P1 = new TopicPartition("work", 1);
    private static final WorkItem ITEM = WorkItems.classify("r", "text");

    private final List<CompletableFuture<WorkOutcome>> submitted = new ArrayList<>();
    private final int[] counts = new int[3]; // started, adopted, dropped
    private final Speculations.Listener listener = new Speculations.Listener() {
        @Override
        public void started() {
            counts[0]++;
        }

        @Override
        public void adopted() {
            counts[1]++;
        }

        @Override
        public void dropped() {
            counts[2]++;
        }
    };

    private Speculations speculations(int capacity, int limit) {
        return new Speculations(capacity, limit, item -> {
            CompletableFuture<WorkOutcome> future = new CompletableFuture<>();
            submitted.add(future);
            return future;
        }, listener);
    }

    @Test
    void theCommittedReadOfTheSameRecordAdoptsItsRunningInference() {
        Speculations speculations = speculations(8, 4);
        assertThat(speculations.start(record(P0, 5, "v"), ITEM, 0, 0)).isTrue();
        assertThat(speculations.start(record(P0, 5, "v"), ITEM, 0, 0)).as("once per record").isFalse();

        speculations.read(record(P0, 5, "v"));
        assertThat(speculations.adopt(record(P0, 5, "v"))).isSameAs(submitted.getFirst());
        assertThat(speculations.unadopted()).isZero();
        assertThat(submitted.getFirst().isCancelled()).isFalse();
        assertThat(counts).containsExactly(1, 1, 0);
    }

    @Test
    void aRecordWithOtherBytesAtThatOffsetIsNeverTrusted() {
        Speculations speculations = speculations(8, 4);
        speculations.start(record(P0, 5, "v"), ITEM, 0, 0);
        speculations.read(record(P0, 5, "other"));
        assertThat(speculations.adopt(record(P0, 5, "other"))).isNull();
        assertThat(submitted.getFirst().isCancelled()).isTrue();
        assertThat(counts).containsExactly(1, 0, 1);
    }

    @Test
    void aSpeculationTheCommittedReadSkippedIsDroppedOnceALaterRecordOfItsPartitionIsRead() {
        Speculations speculations = speculations(8, 4);
        speculations.start(record(P0, 5, "aborted"), ITEM, 0, 0);
        speculations.start(record(P1, 5, "other partition"), ITEM, 0, 0);
        speculations.read(record(P0, 9, "committed"));
        assertThat(submitted.get(0).isCancelled()).isTrue();
        assertThat(submitted.get(1).isCancelled()).isFalse();
        assertThat(speculations.unadopted()).isEqualTo(1);
        assertThat(speculations.start(record(P0, 7, "late"), ITEM, 0, 0)).as("behind the committed read").isFalse();
        assertThat(speculations.start(record(P0, 10, "ahead"), ITEM, 0, 0)).isTrue();
    }

    @Test
    void theCommittedReadAlwaysKeepsRoomForItsNextRecord() {
        Speculations speculations = speculations(4, 8);
        assertThat(speculations.start(record(P0, 1, "a"), ITEM, 2, 0)).as("2 + 0 + 1 < 4").isTrue();
        assertThat(speculations.start(record(P0, 2, "b"), ITEM, 2, 0)).as("2 + 1 + 1 = 4").isFalse();
        assertThat(speculations.start(record(P0, 2, "b"), ITEM, 1, 0)).as("1 + 1 + 1 < 4").isTrue();
        assertThat(speculations.unadopted()).isEqualTo(2);
    }

    @Test
    void atMostTheLimitRunUnadopted() {
        Speculations speculations = speculations(100, 2);
        assertThat(speculations.start(record(P0, 1, "a"), ITEM, 0, 0)).isTrue();
        assertThat(speculations.start(record(P0, 2, "b"), ITEM, 0, 0)).isTrue();
        assertThat(speculations.start(record(P0, 3, "c"), ITEM, 0, 0)).isFalse();
    }

    @Test
    void revokedPartitionsAndOldSpeculationsAreDropped() {
        Speculations speculations = speculations(100, 8);
        speculations.start(record(P0, 1, "a"), ITEM, 0, 1_000);
        speculations.start(record(P1, 1, "b"), ITEM, 0, 1_000);
        speculations.start(record(P1, 2, "c"), ITEM, 0, 5_000);
        speculations.retain(Set.of(P1), 2_000);
        assertThat(submitted).extracting(CompletableFuture::isCancelled).containsExactly(true, true, false);
        assertThat(speculations.unadopted()).isEqualTo(1);
        speculations.dropAll();
        assertThat(submitted.get(2).isCancelled()).isTrue();
        assertThat(counts).containsExactly(3, 0, 3);
    }

    @Test
    void anItemTheExecutorRefusesHoldsNoPlace() {
        Speculations speculations = new Speculations(8, 4,
                item -> CompletableFuture.failedFuture(new TransientWorkException("full")), listener);
        assertThat(speculations.start(record(P0, 1, "a"), ITEM, 0, 0)).isFalse();
        assertThat(speculations.unadopted()).isZero();
        assertThat(counts).containsExactly(0, 0, 0);
    }

    @Test
    void anExpiredOrDeadLetteredRecordDropsItsSpeculation() {
        Speculations speculations = speculations(8, 4);
        speculations.start(record(P0, 1, "a"), ITEM, 0, 0);
        speculations.discard(record(P0, 1, "a"));
        assertThat(submitted.getFirst().isCancelled()).isTrue();
        assertThat(speculations.unadopted()).isZero();
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, String value) {
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, "k".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }
}

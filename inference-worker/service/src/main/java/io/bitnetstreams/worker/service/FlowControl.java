package io.bitnetstreams.worker.service;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the consumer fetches: all partitions pause while the executor's admission queue is full (surplus
 * polled records are sought back and fetched again after resume), and one partition pauses for a back-off after
 * the schema registry failed on its next record. Used by the loop thread only.
 */
final class FlowControl {

    private static final Logger log = LoggerFactory.getLogger(FlowControl.class);

    private final Consumer<byte[], byte[]> consumer;
    private final int capacity;
    private final Duration registryBackoff;
    private final Clock clock;
    private final Map<TopicPartition, Long> registryBackoffUntil = new HashMap<>();
    private boolean pausedForCapacity;

    /** {@code capacity}: the bound of the executor's admission queue. */
    FlowControl(Consumer<byte[], byte[]> consumer, int capacity, Duration registryBackoff, Clock clock) {
        this.consumer = consumer;
        this.capacity = capacity;
        this.registryBackoff = registryBackoff;
        this.clock = clock;
    }

    /** True while another item may be submitted. */
    boolean hasRoom(long pending) {
        return pending < capacity;
    }

    /** Puts the record at {@code offset} back: it is fetched again once consumption resumes. */
    void putBack(TopicPartition partition, long offset) {
        consumer.seek(partition, offset);
    }

    /** The registry failed on the record at {@code offset}: retry it after the back-off. */
    void backOff(TopicPartition partition, long offset) {
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        registryBackoffUntil.put(partition, clock.millis() + registryBackoff.toMillis());
    }

    /** Pauses or resumes after a round of the loop, given the items now with the executor. */
    void apply(long pending) {
        long now = clock.millis();
        Set<TopicPartition> backoffOver = new HashSet<>();
        registryBackoffUntil.forEach((partition, until) -> {
            if (until <= now) {
                backoffOver.add(partition);
            }
        });
        backoffOver.forEach(registryBackoffUntil::remove);

        if (!hasRoom(pending)) {
            if (!pausedForCapacity) {
                log.debug("executor full ({} in flight): pausing {}", pending, consumer.assignment());
            }
            pausedForCapacity = true;
            consumer.pause(consumer.assignment()); // newly assigned partitions too
        } else if (pausedForCapacity) {
            pausedForCapacity = false;
            log.debug("executor has room ({} in flight): resuming", pending);
            resumeAllowed();
        } else if (!backoffOver.isEmpty()) {
            resumeAllowed();
        }
    }

    private void resumeAllowed() {
        List<TopicPartition> resumable = consumer.assignment().stream()
                .filter(p -> !registryBackoffUntil.containsKey(p)).toList();
        consumer.resume(resumable);
    }

    /** Stops every fetch (shutting down). */
    void pauseAll() {
        consumer.pause(consumer.assignment());
    }

    /** The partition left this member. */
    void forget(TopicPartition partition) {
        registryBackoffUntil.remove(partition);
    }

    boolean pausedForCapacity() {
        return pausedForCapacity;
    }
}

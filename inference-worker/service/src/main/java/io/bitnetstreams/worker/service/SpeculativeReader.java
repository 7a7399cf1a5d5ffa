package io.bitnetstreams.worker.service;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the worker's assigned partitions <em>read_uncommitted</em>, on its own thread and with its own consumer (no
 * group, no offsets), and hands each new record to the loop, which may start inference on it at once
 * ({@link Speculations}). A work item becomes visible here as soon as the topology's producer has written it, about one
 * transaction commit and one read_committed fetch earlier than on the worker's group consumer: on a one-part request
 * that is the largest single step between the topology and the engine.
 *
 * <p>It only ever starts at the end of a partition (records already there are the group consumer's backlog), it
 * follows the loop's assignment, and it never blocks the loop: records the loop has not taken yet are bounded, newer
 * ones are skipped. A failure here (a broker outage, a missing ACL) only pauses speculation, which starts again at the
 * end of each partition a second later; the worker goes on without it meanwhile.
 */
final class SpeculativeReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpeculativeReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Supplier<Set<TopicPartition>> assignment;
    private final Runnable wakeLoop;
    private final java.util.function.BooleanSupplier loopHasRoom;
    private final BlockingQueue<ConsumerRecord<byte[], byte[]>> offered;
    private final Thread thread;
    private volatile boolean closed;
    /** Reader thread only: the last attempt failed (only the first failure of a series is a warning). */
    private boolean failing;
    /** The partitions this reader is positioned on (tests wait for it before they write). */
    private volatile Set<TopicPartition> positioned = Set.of();

    /**
     * @param properties consumer properties ({@link io.bitnetstreams.worker.config.WorkerConfig#speculativeReaderProperties})
     * @param assignment the loop's current assignment, read from this reader's thread
     * @param wakeLoop   ends a poll the loop is blocked in
     * @param loopHasRoom false while the loop has no room for speculation: records read meanwhile are skipped, and the
     *                   loop is not woken for them
     * @param bound      most records waiting for the loop
     */
    SpeculativeReader(Map<String, Object> properties, Supplier<Set<TopicPartition>> assignment, Runnable wakeLoop,
            java.util.function.BooleanSupplier loopHasRoom, int bound, String name) {
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.assignment = assignment;
        this.wakeLoop = wakeLoop;
        this.loopHasRoom = loopHasRoom;
        this.offered = new ArrayBlockingQueue<>(bound);
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** The next record offered to the loop, or null. */
    ConsumerRecord<byte[], byte[]> next() {
        return offered.poll();
    }

    /** The partitions read from their end onwards: every record written to them from now on is offered. */
    Set<TopicPartition> positioned() {
        return positioned;
    }

    private void run() {
        while (!closed) {
            try {
                readUntilClosed();
            } catch (WakeupException e) {
                // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // A broker outage or a missing ACL: speculation pauses, the committed read goes on without it.
                if (!closed) {
                    if (!failing) {
                        log.warn("speculative reads paused (retrying every {}): {}", RETRY, Results.describe(e), e);
                    } else {
                        log.debug("speculative reads still failing: {}", Results.describe(e));
                    }
                    failing = true;
                    positioned = Set.of();
                    pause();
                }
            }
        }
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            log.debug("speculative reader close: {}", Results.describe(e));
        }
    }

    /** Follows the assignment from the end of each partition and offers what is written; returns only by throwing. */
    private void readUntilClosed() throws InterruptedException {
        Set<TopicPartition> reading = Set.of();
        consumer.assign(reading); // after a failure: every partition starts again at its end
        while (!closed) {
            Set<TopicPartition> wanted = Set.copyOf(assignment.get());
            if (!wanted.equals(reading)) {
                Set<TopicPartition> added = new HashSet<>(wanted);
                added.removeAll(reading);
                consumer.assign(wanted);
                consumer.seekToEnd(added); // what is there already is the group consumer's backlog
                added.forEach(consumer::position); // resolves the seek now: records written from here on are seen
                reading = wanted;
                positioned = wanted;
            }
            if (reading.isEmpty()) {
                Thread.sleep(POLL.toMillis());
                continue;
            }
            offer(consumer.poll(POLL));
            failing = false;
        }
        throw new WakeupException();
    }

    private void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void offer(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty() || !loopHasRoom.getAsBoolean()) {
            return; // a busy worker: the group consumer reads these in turn
        }
        boolean any = false;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            any |= offered.offer(record); // full: the loop is behind, and the group consumer reads it anyway
        }
        if (any) {
            wakeLoop.run();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        offered.clear();
    }
}

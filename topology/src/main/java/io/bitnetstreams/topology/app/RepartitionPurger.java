package io.bitnetstreams.topology.app;

import io.bitnetstreams.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what the application has consumed from its own repartition topics, as Kafka Streams does for the
 * repartition topics it manages itself: every {@code repartition.purge.interval.ms} (Streams' key, default 30 s)
 * the records before the application's committed offsets go. With exactly-once those offsets are committed in the
 * same transaction as everything the records led to, so nothing still needed is deleted; the topics then hold
 * only what is in flight instead of a second copy of every request for the broker's retention time.
 */
final class RepartitionPurger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RepartitionPurger.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final String groupId;
    private final List<String> topics;
    private final Admin admin;
    private final ScheduledExecutorService timer;
    private final Map<TopicPartition, Long> purgedUpTo = new HashMap<>();

    RepartitionPurger(TopologyConfig config) {
        this.groupId = config.applicationId();
        this.topics = config.repartitionTopics().all();
        this.admin = Admin.create(TopicProvisioner.adminConfig(config, CALL_TIMEOUT));
        long intervalMs = interval(config);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("bitnet-repartition-purger").daemon().factory());
        timer.scheduleWithFixedDelay(this::purgeQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    static long interval(TopologyConfig config) {
        String configured = config.passthrough().get(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG);
        long interval = configured == null ? 30_000 : Long.parseLong(configured.strip());
        if (interval < 1) {
            throw new IllegalArgumentException(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG + " must be positive");
        }
        return interval;
    }

    private void purgeQuietly() {
        try {
            purge();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // the next round tries again; the records stay until then, nothing is lost
            LOG.debug("purging the repartition topics failed: {}", e.toString());
        }
    }

    /** Deletes the records before the committed offsets that moved since the last round. */
    void purge() throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && topics.contains(partition.topic())
                    && offset.offset() > purgedUpTo.getOrDefault(partition, 0L)) {
                deletions.put(partition, RecordsToDelete.beforeOffset(offset.offset()));
            }
        });
        if (deletions.isEmpty()) {
            return;
        }
        admin.deleteRecords(deletions).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        deletions.forEach((partition, deletion) -> purgedUpTo.put(partition, deletion.beforeOffset()));
        LOG.debug("purged the repartition topics up to {}", purgedUpTo);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}

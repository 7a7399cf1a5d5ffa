package io.bitnetstreams.worker.service;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when partitions come and go. Assigned: tracked from now on. Revoked: what is in flight there is
 * finished (bounded by the revoke grace) and committed, then forgotten. Lost: forgotten at once, nothing committed
 * (another member may already own them). Runs on the loop thread, inside {@code poll}.
 */
final class RebalanceHandler implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(RebalanceHandler.class);

    /** What the handler needs from the loop. */
    interface Loop {
        /** Waits until the partitions have nothing with the executor or the grace ends. */
        void finishInFlight(Collection<TopicPartition> partitions, Duration grace) throws InterruptedException;

        /** Commits whatever is complete now. */
        void commitNow();

        /** True once the worker is crashing (test hook) or has crashed: nothing may be committed. */
        boolean abandoning();
    }

    private final String instanceId;
    private final Duration revokeGrace;
    private final InFlightWork work;
    private final FlowControl flow;
    private final Set<TopicPartition> assigned;
    private final Loop loop;

    RebalanceHandler(String instanceId, Duration revokeGrace, InFlightWork work, FlowControl flow,
            Set<TopicPartition> assigned, Loop loop) {
        this.instanceId = instanceId;
        this.revokeGrace = revokeGrace;
        this.work = work;
        this.flow = flow;
        this.assigned = assigned;
        this.loop = loop;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        partitions.forEach(work::open);
        assigned.addAll(partitions);
        if (!partitions.isEmpty()) {
            log.info("worker {} assigned {}", instanceId, partitions);
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (loop.abandoning() || partitions.isEmpty()) {
            forget(partitions);
            return;
        }
        log.info("worker {} revoking {} ({} in flight there)", instanceId, partitions, work.pendingIn(partitions));
        try {
            loop.finishInFlight(partitions, revokeGrace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.commitNow();
        forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        log.warn("worker {} lost {}", instanceId, partitions);
        forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            work.drop(partition);
            flow.forget(partition);
            assigned.remove(partition);
        }
    }
}

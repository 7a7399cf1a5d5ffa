package io.bitnetstreams.loadtest.measure;

import io.bitnetstreams.contract.TaskKind;

/**
 * One request of a run, as measured. Times are nanoseconds from the start of the run on the generator's monotonic
 * clock; the worker's split (queue, engine) is in milliseconds as the worker reports it, -1 when no work result was
 * seen (dead letters, requests the worker never answered).
 *
 * @param intendedNanos when the schedule meant to send it (open loop) or when it was sent (closed loop)
 * @param sentNanos     when it was handed to the producer
 * @param endedNanos    when its final record (result or dead letter) was read; -1 when missing
 * @param error         the result's error or the dead letter's reason; null when done
 * @param hops          wall-clock milestones splitting the overhead
 */
public record RequestRecord(String id, TaskKind task, int textTokens, long intendedNanos, long sentNanos, long endedNanos,
                            Outcome outcome, long queueMs, long engineMs, int promptTokens, int generatedTokens, String error,
                            Hops hops) {

    /** Without the wall-clock hops (tests, records of other sources). */
    public RequestRecord(String id, TaskKind task, int textTokens, long intendedNanos, long sentNanos, long endedNanos,
                         Outcome outcome, long queueMs, long engineMs, int promptTokens, int generatedTokens, String error) {
        this(id, task, textTokens, intendedNanos, sentNanos, endedNanos, outcome, queueMs, engineMs, promptTokens, generatedTokens,
                error, Hops.UNKNOWN);
    }

    /**
     * Wall-clock milestones (epoch ms; -1 unknown) that split the overhead into hops: sent by the generator, work done
     * by the worker (its result's completedAt), the work result published (its Kafka timestamp: the worker's send in
     * its commit transaction), final result made by the topology (its completedAt), final result read by the
     * generator. All clocks are the same machine's when the stack runs here; across machines they are only as good as
     * the clocks' synchronisation.
     */
    public record Hops(long sentEpochMs, long workDoneEpochMs, long publishedEpochMs, long finalEpochMs, long readEpochMs) {
        public static final Hops UNKNOWN = new Hops(-1, -1, -1, -1, -1);

        /** Without the publication time. */
        public Hops(long sentEpochMs, long workDoneEpochMs, long finalEpochMs, long readEpochMs) {
            this(sentEpochMs, workDoneEpochMs, -1, finalEpochMs, readEpochMs);
        }

        public boolean known() {
            return sentEpochMs >= 0 && workDoneEpochMs >= 0 && finalEpochMs >= 0 && readEpochMs >= 0;
        }

        /** True when the return hop splits into the worker's commit and the topology's part. */
        public boolean publishedKnown() {
            return known() && publishedEpochMs >= 0;
        }
    }

    /** Request sent to worker done, minus the worker's queue and engine time: topology in, Kafka, worker poll. */
    public long inboundMs(long queue, long engine) {
        return hops.workDoneEpochMs() - hops.sentEpochMs() - queue - engine;
    }

    /** Worker done to final result made: worker's transaction commit, topology's read and reassembly. */
    public long returnMs() {
        return finalMadeEpochMs() - hops.workDoneEpochMs();
    }

    /**
     * When the final result was made, in the pipeline's sense: its completedAt, but not before its work result was
     * published. A worker that publishes the final result itself (one-part requests) builds it when the work is done
     * and sends it in the transaction of its work result: it is made when that work result is published, so the
     * topology's part is 0 and the worker's commit counts in final made -> read, as a topology's commit does.
     */
    private long finalMadeEpochMs() {
        return Math.max(hops.finalEpochMs(), hops.publishedEpochMs());
    }

    /** Worker done to its result published: the worker's wait for its poll and commit cadence. */
    public long workerCommitMs() {
        return hops.publishedEpochMs() - hops.workDoneEpochMs();
    }

    /** Work result published to final result made: the worker's transaction, the topology's read, repartition, reassembly. */
    public long topologyReturnMs() {
        return finalMadeEpochMs() - hops.publishedEpochMs();
    }

    /** Final result made to final result read: topology's transaction commit and the generator's fetch. */
    public long deliveryMs() {
        return hops.readEpochMs() - finalMadeEpochMs();
    }


    /** Submit (intended) to final record, in microseconds; -1 when it did not end. */
    public long endToEndMicros() {
        return endedNanos < 0 ? -1 : Math.max(0, (endedNanos - intendedNanos) / 1_000);
    }

    /** Actual send to final record, in microseconds (what a closed-loop tool would report); -1 when it did not end. */
    public long serviceMicros() {
        return endedNanos < 0 ? -1 : Math.max(0, (endedNanos - sentNanos) / 1_000);
    }

    /** True when the worker's timings are known. */
    public boolean hasWorkerTimings() {
        return engineMs >= 0 && queueMs >= 0;
    }

    /** End to end minus engine time, in microseconds: queueing plus Kafka and pipeline overhead. */
    public long minusEngineMicros() {
        return Math.max(0, endToEndMicros() - engineMs * 1_000);
    }

    /** End to end minus queueing and engine time, in microseconds: Kafka hops, transactions, topology. */
    public long overheadMicros() {
        return Math.max(0, endToEndMicros() - (engineMs + queueMs) * 1_000);
    }
}

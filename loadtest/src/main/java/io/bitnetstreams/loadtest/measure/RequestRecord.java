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
 */
public record RequestRecord(String id, TaskKind task, int textTokens, long intendedNanos, long sentNanos, long endedNanos,
                            Outcome outcome, long queueMs, long engineMs, int promptTokens, int generatedTokens, String error) {

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

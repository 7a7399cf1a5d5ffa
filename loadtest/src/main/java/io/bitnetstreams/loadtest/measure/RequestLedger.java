package io.bitnetstreams.loadtest.measure;

import io.bitnetstreams.contract.TaskKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Every request of one run from send to end: the generator registers a request before sending it; the result tap
 * reports the worker's timings and the final record. Thread-safe. Records of other runs (other ids) are ignored.
 */
public final class RequestLedger {

    private final LongSupplier clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger ended = new AtomicInteger();

    /** {@code clock}: nanoseconds since the start of the run. */
    public RequestLedger(LongSupplier clock) {
        this.clock = clock;
    }

    private static final class Entry {
        final String id;
        final TaskKind task;
        final int textTokens;
        final long intendedNanos;
        final long sentNanos;
        final long sentEpochMs = System.currentTimeMillis();
        long workDoneEpochMs = -1;
        long publishedEpochMs = -1;
        long finalEpochMs = -1;
        long readEpochMs = -1;
        long endedNanos = -1;
        Outcome outcome = Outcome.MISSING;
        long queueMs = -1;
        long engineMs = -1;
        int promptTokens;
        int generatedTokens;
        String error;

        Entry(String id, TaskKind task, int textTokens, long intendedNanos, long sentNanos) {
            this.id = id;
            this.task = task;
            this.textTokens = textTokens;
            this.intendedNanos = intendedNanos;
            this.sentNanos = sentNanos;
        }
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Registers a request about to be sent; {@code intendedNanos} is its scheduled time. */
    public void sending(String id, TaskKind task, int textTokens, long intendedNanos) {
        if (entries.putIfAbsent(id, new Entry(id, task, textTokens, intendedNanos, clock.getAsLong())) != null) {
            throw new IllegalStateException("request id sent twice: " + id);
        }
    }

    /**
     * A worker's answer to one chunk of a request: queue times take the longest chunk's, engine times add up (the
     * engine's work for the request). False when the id is not one of this run's.
     */
    public boolean workResult(String id, long queuedMs, long inferenceMs) {
        return workResult(id, queuedMs, inferenceMs, -1);
    }

    /** The same with the worker's completion time (epoch ms; -1 unknown): the latest chunk's counts. */
    public boolean workResult(String id, long queuedMs, long inferenceMs, long completedEpochMs) {
        return workResult(id, queuedMs, inferenceMs, completedEpochMs, -1);
    }

    /** The same with the time the work result was published (its Kafka timestamp, epoch ms; -1 unknown). */
    public boolean workResult(String id, long queuedMs, long inferenceMs, long completedEpochMs, long publishedEpochMs) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            entry.queueMs = Math.max(entry.queueMs, Math.max(0, queuedMs));
            entry.engineMs = Math.max(0, entry.engineMs) + Math.max(0, inferenceMs);
            if (completedEpochMs >= entry.workDoneEpochMs) {
                entry.workDoneEpochMs = completedEpochMs;
                entry.publishedEpochMs = publishedEpochMs; // the latest chunk's pair, so the hops add up
            }
        }
        return true;
    }

    /** The final record of a request ({@code error}: why it failed, else null); true the first time (later copies are ignored), false for unknown ids. */
    public boolean ended(String id, Outcome outcome, int promptTokens, int generatedTokens, String error) {
        return ended(id, outcome, promptTokens, generatedTokens, error, -1);
    }

    /** The same with the time the final record was made (epoch ms, e.g. a result's completedAt; -1 unknown). */
    public boolean ended(String id, Outcome outcome, int promptTokens, int generatedTokens, String error, long finalEpochMs) {
        if (outcome == Outcome.MISSING || outcome == Outcome.NOT_SENT) {
            throw new IllegalArgumentException(outcome + " is not an answer");
        }
        Entry entry = entries.get(id);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            if (entry.endedNanos >= 0) {
                return false;
            }
            entry.endedNanos = Math.max(entry.sentNanos, clock.getAsLong());
            entry.outcome = outcome;
            entry.promptTokens = promptTokens;
            entry.generatedTokens = generatedTokens;
            entry.error = error;
            entry.finalEpochMs = finalEpochMs;
            entry.readEpochMs = System.currentTimeMillis();
        }
        ended.incrementAndGet();
        return true;
    }

    /** Requests handed to the producer (send failures included until they are reported). */
    /** The producer failed to send it: it ends as {@link Outcome#NOT_SENT}; true the first time. */
    public boolean notSent(String id) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            if (entry.endedNanos >= 0) {
                return false;
            }
            entry.endedNanos = Math.max(entry.sentNanos, clock.getAsLong());
            entry.outcome = Outcome.NOT_SENT;
        }
        ended.incrementAndGet();
        return true;
    }

    public int sent() {
        return entries.size();
    }

    public int endedCount() {
        return ended.get();
    }

    public int outstanding() {
        return entries.size() - ended.get();
    }

    /** A snapshot of every request in send order; requests without an end are {@link Outcome#MISSING}. */
    public List<RequestRecord> records() {
        List<RequestRecord> records = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            synchronized (e) {
                records.add(new RequestRecord(e.id, e.task, e.textTokens, e.intendedNanos, e.sentNanos, e.endedNanos,
                        e.outcome, e.queueMs, e.engineMs, e.promptTokens, e.generatedTokens, e.error,
                        new RequestRecord.Hops(e.sentEpochMs, e.workDoneEpochMs, e.publishedEpochMs, e.finalEpochMs, e.readEpochMs)));
            }
        }
        records.sort(Comparator.comparingLong(RequestRecord::intendedNanos).thenComparing(RequestRecord::id));
        return records;
    }
}

package io.bitnetstreams.standalone.run;

import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.contract.request.RequestSpec;
import io.bitnetstreams.launcher.client.Ending;
import io.bitnetstreams.launcher.client.OutcomeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows every request of a run from sending to its final record. Thread-safe: the sender marks requests sent, the
 * result listener ends them. A second final record for the same request is not an ending but counted in
 * {@link #repeatedEndings()} (exactly-once says it stays 0).
 */
public final class RunTracker {

    private static final class Entry {
        final RequestSpec spec;
        volatile long sentNanos;
        Ending ending;
        long endedNanos;

        Entry(RequestSpec spec) {
            this.spec = spec;
        }
    }

    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private final CountDownLatch open;
    private final AtomicInteger repeated = new AtomicInteger();
    private final AtomicLong firstSent = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastEnded = new AtomicLong(Long.MIN_VALUE);

    /** {@code keyPrefix} is put in front of every id to form the Kafka request id (may be empty). */
    public RunTracker(List<RequestSpec> requests, String keyPrefix) {
        for (RequestSpec spec : requests) {
            if (byKey.put(keyPrefix + spec.id(), new Entry(spec)) != null) {
                throw new IllegalArgumentException("request id " + spec.id() + " appears twice");
            }
        }
        open = new CountDownLatch(byKey.size());
    }

    /** Kafka request ids (prefix + id) with their requests, in input order. */
    public Map<String, RequestSpec> requestsByKey() {
        Map<String, RequestSpec> copy = new LinkedHashMap<>();
        byKey.forEach((key, entry) -> copy.put(key, entry.spec));
        return copy;
    }

    public boolean tracks(String key) {
        return byKey.containsKey(key);
    }

    public void sent(String key, long nanos) {
        Entry entry = byKey.get(key);
        if (entry != null) {
            entry.sentNanos = nanos;
            firstSent.accumulateAndGet(nanos, Math::min);
        }
    }

    /** Records the final answer; false when the key is not ours or had already ended (then counted as repeated). */
    public boolean end(String key, Ending ending, long nanos) {
        Entry entry = byKey.get(key);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            if (entry.ending != null) {
                repeated.incrementAndGet();
                return false;
            }
            entry.ending = ending;
            entry.endedNanos = nanos;
        }
        lastEnded.accumulateAndGet(nanos, Math::max);
        open.countDown();
        return true;
    }

    public int total() {
        return byKey.size();
    }

    public int ended() {
        return (int) (byKey.size() - open.getCount());
    }

    public int repeatedEndings() {
        return repeated.get();
    }

    /** Waits until every request ended; false on timeout. */
    public boolean awaitAll(Duration timeout) throws InterruptedException {
        return open.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Seconds from the first send to the last ending (or to {@code nowNanos} while requests are still open). */
    public double elapsedSeconds(long nowNanos) {
        long start = firstSent.get();
        if (start == Long.MAX_VALUE) {
            return 0;
        }
        long end = open.getCount() == 0 ? lastEnded.get() : nowNanos;
        return Math.max(0, end - start) / 1e9;
    }

    /** One outcome per request (in input order), then one per local dead letter. */
    public List<Outcome> outcomes(List<InputProblem> localDeadLetters) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Entry entry : byKey.values()) {
            RequestSpec spec = entry.spec;
            Ending ending;
            long endedNanos;
            synchronized (entry) {
                ending = entry.ending;
                endedNanos = entry.endedNanos;
            }
            if (ending == null) {
                outcomes.add(new Outcome(spec.id(), spec.line(), spec.task().wireName(), OutcomeStatus.TIMED_OUT,
                        "no final record before the run ended", null, "no final record before the run ended", -1, 0, 0));
            } else {
                long latency = entry.sentNanos == 0 ? -1 : Math.max(0, (endedNanos - entry.sentNanos) / 1_000_000);
                outcomes.add(new Outcome(spec.id(), spec.line(), spec.task().wireName(), ending.status(),
                        ending.summary(), ending.result(), ending.reason(), latency, ending.promptTokens(),
                        ending.generatedTokens()));
            }
        }
        for (InputProblem problem : localDeadLetters) {
            outcomes.add(new Outcome(problem.id(), problem.line(), null, OutcomeStatus.DEAD_LETTER,
                    "dead letter: " + problem.reason(), null, problem.reason(), -1, 0, 0));
        }
        return outcomes;
    }
}

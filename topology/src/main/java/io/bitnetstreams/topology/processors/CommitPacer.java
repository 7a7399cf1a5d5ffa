package io.bitnetstreams.topology.processors;

import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * When the topology commits what it processed: at once when its stream thread was idle, every interval while it is
 * busy.
 *
 * <p>Kafka Streams alone offers one or the other. With {@code commit.interval.ms=0} every processing round is its own
 * exactly-once transaction: a lone request is handed on at once, but under a burst the stream thread spends its time
 * on commits (each a handful of broker round trips) and hands on about two thirds of the documents per second of a
 * 50 ms interval, at 1.6x its CPU per document. With an interval, a lone record waits up to that interval for the next commit, on every hop.
 *
 * <p>So the interval ({@code commit.interval.ms}) stays, and an input record that its stream thread reads after a
 * whole interval without reading anything from that input asks for a commit ({@link ProcessingContext#commit()}: Kafka
 * Streams commits at the end of that processing round). Every other record rides the next commit, at most an interval
 * away. A lone request is handed on at once, on each of its hops; under a steady stream nothing asks and the interval
 * alone paces the transactions (asking at most once per interval instead measured a third fewer documents per second
 * than the interval alone: one more transaction per interval).
 *
 * <p>One pacer per input, shared by that input's processors in every task: the unit is the input on one stream thread.
 * Not the thread alone: a request's next hop (its repartition, its work result) is read by the same thread moments
 * after the first, and must not count as "busy". Not the task: under exactly-once v2 one transaction commits every
 * task of the thread.
 */
public final class CommitPacer {

    /** Far enough in the past that the first record of every thread asks, without overflowing the subtraction. */
    private static final long NEVER = Long.MIN_VALUE / 2;

    /** Per stream thread: when it last read a record of this input (wall clock, ms). */
    private final ThreadLocal<long[]> lastRead = ThreadLocal.withInitial(() -> new long[] {NEVER});

    /** The pace of one processor, on the interval of the application it runs in. */
    public Pace pace(ProcessingContext context) {
        return new Pace(context, intervalMs(context.appConfigs()));
    }

    /** Kafka Streams' {@code commit.interval.ms} of an application's configs (as given, or its parsed default). */
    static long intervalMs(Map<String, Object> appConfigs) {
        Object interval = appConfigs.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        if (interval == null) {
            throw new IllegalStateException(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG + " missing from the application's configs");
        }
        return interval instanceof Number number ? number.longValue() : Long.parseLong(interval.toString().trim());
    }

    /** One processor's handle: {@link #recordRead()} for every record it reads. */
    public final class Pace {
        private final ProcessingContext context;
        private final long intervalMs;

        private Pace(ProcessingContext context, long intervalMs) {
            this.context = context;
            this.intervalMs = intervalMs;
        }

        /** Asks for a commit at the end of this processing round if this thread read nothing for an interval. */
        public void recordRead() {
            long now = context.currentSystemTimeMs();
            long[] last = lastRead.get();
            boolean wasIdle = now - last[0] >= intervalMs;
            last[0] = now;
            if (wasIdle) {
                context.commit();
            }
        }
    }
}

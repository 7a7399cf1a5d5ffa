package io.bitnetstreams.loadtest.eos;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The broker's own account of each request type ({@code kafka.network:type=RequestMetrics}): how long requests
 * waited in the request queue, were handled locally, waited remotely (purgatory: a delayed produce, fetch or
 * coordinator write), waited for the network thread and were sent. Readable only for a broker in this JVM (the
 * embedded one); the histograms live as long as the broker, so a window is the difference of two snapshots of
 * count and sum (mean over the window); percentiles come from the broker's own decaying reservoir.
 */
public final class BrokerRequestMetrics {

    /** The parts of a request's time, in the order they happen. */
    public static final String[] PARTS = {"RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
            "ResponseSendTimeMs", "TotalTimeMs"};

    /** Count and summed milliseconds of one (request, part). */
    public record Sum(long count, double sumMs) {
    }

    /** Per request type: count in the window, mean of each part over the window, reservoir p50/p99 of the total. */
    public record Row(String request, long count, Map<String, Double> meanMs, double totalP50, double totalP99) {
    }

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    /** Error answers ({@code request/ERROR} -> count, not NONE) so far, e.g. CONCURRENT_TRANSACTIONS retries. */
    public Map<String, Long> errors() {
        Map<String, Long> errors = new TreeMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=ErrorsPerSec,*"), null)) {
                String error = name.getKeyProperty("error");
                if (error != null && !error.equals("NONE")) {
                    errors.put(name.getKeyProperty("request") + "/" + error,
                            ((Number) server.getAttribute(name, "Count")).longValue());
                }
            }
        } catch (JMException e) {
            // no broker here
        }
        return errors;
    }

    /** True when a broker of this JVM registered its request metrics. */
    public boolean available() {
        return !names("TotalTimeMs").isEmpty();
    }

    /** The current counts and sums of every (request, part). */
    public Map<String, Sum> snapshot() {
        Map<String, Sum> sums = new TreeMap<>();
        for (String part : PARTS) {
            for (ObjectName name : names(part)) {
                try {
                    long count = ((Number) server.getAttribute(name, "Count")).longValue();
                    double mean = ((Number) server.getAttribute(name, "Mean")).doubleValue();
                    sums.put(name.getKeyProperty("request") + "/" + part, new Sum(count, mean * count));
                } catch (JMException e) {
                    // unregistered meanwhile: leave it out
                }
            }
        }
        return sums;
    }

    /** Request types seen at least {@code minCount} times between the two snapshots. */
    public Map<String, Row> window(Map<String, Sum> before, Map<String, Sum> after, long minCount) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (ObjectName name : names("TotalTimeMs")) {
            String request = name.getKeyProperty("request");
            long count = count(before, after, request, "TotalTimeMs");
            if (count < minCount) {
                continue;
            }
            Map<String, Double> means = new LinkedHashMap<>();
            for (String part : PARTS) {
                long partCount = count(before, after, request, part);
                Sum b = before.getOrDefault(request + "/" + part, new Sum(0, 0));
                Sum a = after.getOrDefault(request + "/" + part, new Sum(0, 0));
                means.put(part, partCount == 0 ? 0 : (a.sumMs() - b.sumMs()) / partCount);
            }
            rows.put(request, new Row(request, count, means, attribute(name, "50thPercentile"), attribute(name, "99thPercentile")));
        }
        return rows;
    }

    private static long count(Map<String, Sum> before, Map<String, Sum> after, String request, String part) {
        return after.getOrDefault(request + "/" + part, new Sum(0, 0)).count()
                - before.getOrDefault(request + "/" + part, new Sum(0, 0)).count();
    }

    private double attribute(ObjectName name, String attribute) {
        try {
            return ((Number) server.getAttribute(name, attribute)).doubleValue();
        } catch (JMException e) {
            return Double.NaN;
        }
    }

    private Set<ObjectName> names(String part) {
        try {
            return server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=" + part + ",request=*"), null);
        } catch (JMException e) {
            return Set.of();
        }
    }
}

package io.bitnetstreams.loadtest.measure;

import org.HdrHistogram.Histogram;

/** The percentiles a report quotes, in milliseconds, read from one HdrHistogram of microseconds. */
public record Percentiles(long count, double mean, double p50, double p90, double p99, double p999, double max) {

    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0);

    public static Percentiles of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return EMPTY;
        }
        return new Percentiles(micros.getTotalCount(), micros.getMean() / 1e3, ms(micros, 50), ms(micros, 90), ms(micros, 99),
                ms(micros, 99.9), micros.getMaxValue() / 1e3);
    }

    private static double ms(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1e3;
    }

    /** True when p50 <= p90 <= p99 <= p99.9 <= max. */
    public boolean monotone() {
        return p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max;
    }
}

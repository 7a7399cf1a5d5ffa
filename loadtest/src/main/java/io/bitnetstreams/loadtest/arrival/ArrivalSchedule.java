package io.bitnetstreams.loadtest.arrival;

import java.util.Random;

/**
 * When the open-loop generator sends its requests: the intended send times, as nanosecond offsets from the start
 * of the run, fixed in advance and independent of how fast the pipeline answers. Latency is measured from these
 * intended times, so a generator that falls behind (a GC pause, a blocked producer) does not hide the delay it
 * causes: the correction for coordinated omission.
 */
public interface ArrivalSchedule {

    /** The intended offset of the next arrival; non-decreasing from call to call. */
    long nextOffsetNanos();

    /** The shape of an open-loop arrival process. */
    enum Shape {
        /** One request every 1/rate seconds exactly. */
        CONSTANT,
        /** Independent exponential gaps of mean 1/rate (a Poisson process): bursts happen, as in real traffic. */
        POISSON
    }

    /** Upper bound on the rate: a million requests per second is far beyond any pipeline this tool drives. */
    double MAX_RATE = 1_000_000;

    static ArrivalSchedule of(Shape shape, double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0) || ratePerSecond > MAX_RATE) {
            throw new IllegalArgumentException("rate must be in (0, " + (long) MAX_RATE + "] requests/s, not " + ratePerSecond);
        }
        return switch (shape) {
            case CONSTANT -> constant(ratePerSecond);
            case POISSON -> poisson(ratePerSecond, new Random(seed));
        };
    }

    /** Arrival i at i/rate seconds (computed from i, so rounding errors do not accumulate). */
    private static ArrivalSchedule constant(double ratePerSecond) {
        double periodNanos = 1e9 / ratePerSecond;
        return new ArrivalSchedule() {
            private long index;

            @Override
            public long nextOffsetNanos() {
                return Math.round(index++ * periodNanos);
            }
        };
    }

    /** The first arrival at 0, then exponential gaps by inversion: -ln(1 - U) / rate. */
    private static ArrivalSchedule poisson(double ratePerSecond, Random random) {
        double meanGapNanos = 1e9 / ratePerSecond;
        return new ArrivalSchedule() {
            private double offset;
            private boolean first = true;

            @Override
            public long nextOffsetNanos() {
                if (first) {
                    first = false;
                    return 0;
                }
                offset += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
                return Math.round(offset);
            }
        };
    }
}

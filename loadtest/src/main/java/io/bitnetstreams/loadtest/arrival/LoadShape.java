package io.bitnetstreams.loadtest.arrival;

import java.time.Duration;
import java.util.Objects;

/**
 * How much load a run offers and for how long: open loop at a fixed rate (constant or Poisson), or closed loop
 * with a fixed number of requests in flight; it ends after a duration or after a number of requests, whichever
 * is given (both: whichever comes first).
 *
 * @param openLoop    true: arrivals follow {@link #shape} at {@link #rate}; false: {@link #inFlight} in flight
 * @param shape       open-loop arrival shape
 * @param rate        open-loop requests per second
 * @param inFlight    closed-loop concurrency
 * @param duration    how long to send (null: until {@link #count})
 * @param count       how many requests to send (0: until {@link #duration})
 */
public record LoadShape(boolean openLoop, ArrivalSchedule.Shape shape, double rate, int inFlight, Duration duration,
                        long count) {

    public static final int MAX_IN_FLIGHT = 100_000;
    public static final long MAX_COUNT = 10_000_000;

    public LoadShape {
        Objects.requireNonNull(shape, "shape");
        if (openLoop && (!(rate > 0) || rate > ArrivalSchedule.MAX_RATE)) {
            throw new IllegalArgumentException("--rate must be in (0, " + (long) ArrivalSchedule.MAX_RATE + "], not " + rate);
        }
        if (!openLoop && (inFlight < 1 || inFlight > MAX_IN_FLIGHT)) {
            throw new IllegalArgumentException("--in-flight must be in [1, " + MAX_IN_FLIGHT + "], not " + inFlight);
        }
        if (duration == null && count == 0) {
            throw new IllegalArgumentException("give --duration or --count");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("--count must be in [0, " + MAX_COUNT + "], not " + count);
        }
    }

    public static LoadShape open(ArrivalSchedule.Shape shape, double rate, Duration duration, long count) {
        return new LoadShape(true, shape, rate, 0, duration, count);
    }

    public static LoadShape closed(int inFlight, Duration duration, long count) {
        return new LoadShape(false, ArrivalSchedule.Shape.CONSTANT, 0, inFlight, duration, count);
    }

    /** The same load at another open-loop rate (saturation search). */
    public LoadShape withRate(double newRate) {
        return new LoadShape(true, shape, newRate, 0, duration, count);
    }

    /** True when the request with this 0-based index, intended at this offset, is still part of the run. */
    public boolean includes(long index, long offsetNanos) {
        if (count > 0 && index >= count) {
            return false;
        }
        return duration == null || offsetNanos < duration.toNanos();
    }

    /** A short description for reports, e.g. {@code open loop, Poisson, 2.00 req/s, 60 s}. */
    public String describe() {
        String what = openLoop
                ? "open loop, " + (shape == ArrivalSchedule.Shape.POISSON ? "Poisson" : "constant") + String.format(" %.3f req/s", rate)
                : "closed loop, " + inFlight + " in flight";
        String until = duration != null ? duration.toSeconds() + " s" : "";
        if (count > 0) {
            until += (until.isEmpty() ? "" : " or ") + count + " requests";
        }
        return what + ", " + until;
    }
}

package io.bitnetstreams.loadtest.arrival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

    @Test
    void constantRateSendsEveryPeriodWithoutDrift() {
        ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Shape.CONSTANT, 3.0, 1);
        long[] offsets = new long[30_001];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = schedule.nextOffsetNanos();
        }
        assertThat(offsets[0]).isZero();
        assertThat(offsets[1]).isEqualTo(333_333_333L);
        // 30,000 periods of 1/3 s are exactly 10,000 s: rounding does not accumulate
        assertThat(offsets[30_000]).isEqualTo(10_000_000_000_000L);
    }

    @Test
    void poissonGapsHaveTheRateAndAreExponential() {
        double rate = 5.0;
        ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, rate, 7);
        int n = 200_000;
        long previous = schedule.nextOffsetNanos();
        assertThat(previous).isZero();
        double sum = 0;
        double sumSquares = 0;
        int longerThanMean = 0;
        for (int i = 0; i < n; i++) {
            long next = schedule.nextOffsetNanos();
            assertThat(next).isGreaterThanOrEqualTo(previous);
            double gap = (next - previous) / 1e9;
            sum += gap;
            sumSquares += gap * gap;
            if (gap > 1 / rate) {
                longerThanMean++;
            }
            previous = next;
        }
        double mean = sum / n;
        double std = Math.sqrt(sumSquares / n - mean * mean);
        assertThat(mean).isCloseTo(1 / rate, within(0.005));
        // exponential: standard deviation equals the mean, and P(gap > mean) = 1/e
        assertThat(std / mean).isCloseTo(1.0, within(0.02));
        assertThat(longerThanMean / (double) n).isCloseTo(Math.exp(-1), within(0.005));
    }

    @Test
    void poissonCountsPerSecondHaveVarianceEqualToTheirMean() {
        double rate = 4.0;
        ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, rate, 11);
        int seconds = 20_000;
        int[] perSecond = new int[seconds];
        long offset;
        while ((offset = schedule.nextOffsetNanos()) < seconds * 1_000_000_000L) {
            perSecond[(int) (offset / 1_000_000_000L)]++;
        }
        double mean = java.util.Arrays.stream(perSecond).average().orElse(0);
        double variance = java.util.Arrays.stream(perSecond).mapToDouble(c -> (c - mean) * (c - mean)).sum() / seconds;
        assertThat(mean).isCloseTo(rate, within(0.05));
        assertThat(variance / mean).isCloseTo(1.0, within(0.05));
    }

    @Test
    void theSameSeedGivesTheSameArrivals() {
        ArrivalSchedule a = ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, 2, 42);
        ArrivalSchedule b = ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, 2, 42);
        ArrivalSchedule c = ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, 2, 43);
        boolean differs = false;
        for (int i = 0; i < 100; i++) {
            long x = a.nextOffsetNanos();
            assertThat(b.nextOffsetNanos()).isEqualTo(x);
            differs |= c.nextOffsetNanos() != x;
        }
        assertThat(differs).isTrue();
    }

    @Test
    void ratesOutsideTheBoundsAreRefused() {
        assertThatThrownBy(() -> ArrivalSchedule.of(ArrivalSchedule.Shape.CONSTANT, 0, 1)).hasMessageContaining("rate");
        assertThatThrownBy(() -> ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, Double.NaN, 1)).hasMessageContaining("rate");
        assertThatThrownBy(() -> ArrivalSchedule.of(ArrivalSchedule.Shape.POISSON, 2e6, 1)).hasMessageContaining("rate");
    }

    @Test
    void aRunEndsAfterItsDurationOrItsCount() {
        LoadShape byTime = LoadShape.open(ArrivalSchedule.Shape.CONSTANT, 2, Duration.ofSeconds(10), 0);
        assertThat(byTime.includes(1_000, 9_999_999_999L)).isTrue();
        assertThat(byTime.includes(0, 10_000_000_000L)).isFalse();
        LoadShape byCount = LoadShape.closed(4, null, 100);
        assertThat(byCount.includes(99, Long.MAX_VALUE)).isTrue();
        assertThat(byCount.includes(100, 0)).isFalse();
        LoadShape both = LoadShape.open(ArrivalSchedule.Shape.POISSON, 1, Duration.ofSeconds(5), 3);
        assertThat(both.includes(3, 0)).isFalse();
        assertThat(both.includes(1, 6_000_000_000L)).isFalse();
        // a constant schedule at 2/s for 10 s sends exactly 20 requests
        ArrivalSchedule schedule = ArrivalSchedule.of(ArrivalSchedule.Shape.CONSTANT, 2, 1);
        int sent = 0;
        while (byTime.includes(sent, schedule.nextOffsetNanos())) {
            sent++;
        }
        assertThat(sent).isEqualTo(20);
    }

    @Test
    void aLoadNeedsAnEndAndSaneBounds() {
        assertThatThrownBy(() -> LoadShape.open(ArrivalSchedule.Shape.CONSTANT, 1, null, 0)).hasMessageContaining("--duration or --count");
        assertThatThrownBy(() -> LoadShape.closed(0, Duration.ofSeconds(1), 0)).hasMessageContaining("--in-flight");
        assertThatThrownBy(() -> LoadShape.closed(1, Duration.ofSeconds(1), -1)).hasMessageContaining("--count");
    }
}

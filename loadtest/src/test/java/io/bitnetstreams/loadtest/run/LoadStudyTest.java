package io.bitnetstreams.loadtest.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.loadtest.arrival.ArrivalSchedule;
import io.bitnetstreams.loadtest.arrival.LoadShape;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadStudyTest {

    private static LoadStudy.Settings settings(LoadShape load, Duration halfDuration, ArrivalSchedule.Shape halfArrivals) {
        return new LoadStudy.Settings(List.of(1), 1, 1, load, null, true, 10_000, 3, 16, 1, Duration.ofMinutes(1),
                Duration.ofMinutes(1), null, Map.of(), List.of(), Duration.ofSeconds(5), 5.0, halfDuration, halfArrivals);
    }

    @Test
    void theHalfSaturationRunTakesItsOwnDurationAndArrivals() {
        LoadShape closed = LoadShape.closed(4, Duration.ofSeconds(60), 0);
        LoadShape half = LoadStudy.halfLoad(settings(closed, Duration.ofMinutes(4), ArrivalSchedule.Shape.CONSTANT), 0.3);
        assertThat(half.openLoop()).isTrue();
        assertThat(half.rate()).isCloseTo(0.15, within(1e-12));
        assertThat(half.duration()).isEqualTo(Duration.ofMinutes(4));
        assertThat(half.count()).isZero();
        assertThat(half.describe()).containsIgnoringCase("constant");
    }

    @Test
    void withoutItsOwnSettingsItIsPoissonForTheMainDuration() {
        LoadShape closed = LoadShape.closed(4, Duration.ofSeconds(75), 0);
        LoadShape half = LoadStudy.halfLoad(settings(closed, null, ArrivalSchedule.Shape.POISSON), 2.0);
        assertThat(half.rate()).isCloseTo(1.0, within(1e-12));
        assertThat(half.duration()).isEqualTo(Duration.ofSeconds(75));
        assertThat(half.describe()).containsIgnoringCase("poisson");
    }
}

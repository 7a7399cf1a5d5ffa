package io.bitnetstreams.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultTest {

    @Test
    void faultListsParse() {
        assertThat(Fault.parse("all")).isEqualTo(EnumSet.allOf(Fault.class));
        assertThat(Fault.parse("none")).isEmpty();
        assertThat(Fault.parse("worker-kill, broker-restart")).containsExactly(Fault.WORKER_KILL, Fault.BROKER_RESTART);
        assertThatThrownBy(() -> Fault.parse("worker-kill,disk-full")).hasMessageContaining("disk-full");
    }

    @Test
    void workerKillsAreThreeAndEachAtLeastTwentyPointsAfterThePrevious() {
        List<FaultPlan.Step> kills = FaultPlan.of(EnumSet.allOf(Fault.class)).stream()
                .filter(s -> s.fault() == Fault.WORKER_KILL).toList();
        assertThat(kills).hasSize(3);
        for (int i = 1; i < kills.size(); i++) {
            assertThat(kills.get(i).atProgress() - kills.get(i - 1).atProgress()).isGreaterThanOrEqualTo(0.20);
        }
        assertThat(kills).extracting(FaultPlan.Step::target).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void everyFaultHappensOnceBeforeThreeQuartersOfTheRunInOrderOfProgress() {
        List<FaultPlan.Step> steps = FaultPlan.of(EnumSet.allOf(Fault.class));
        assertThat(steps).hasSize(6);
        assertThat(steps).extracting(FaultPlan.Step::atProgress).isSorted().allMatch(p -> p > 0 && p < 0.75);
        assertThat(FaultPlan.of(EnumSet.of(Fault.REGISTRY_RESTART))).singleElement()
                .extracting(FaultPlan.Step::fault).isEqualTo(Fault.REGISTRY_RESTART);
    }
}

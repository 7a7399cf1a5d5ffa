package io.bitnetstreams.chaos.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * When each fault happens, as a fraction of the requests answered so far: the three worker kills 25 points apart
 * (the issue asks for at least 20% more progress before each), the other faults in between, all before 75% so that
 * traffic still flows while the pipeline recovers from the last one.
 */
public final class FaultPlan {

    /** One scheduled fault; {@code target} names which worker (1-based) for worker kills. */
    public record Step(Fault fault, double atProgress, int target) {
    }

    private FaultPlan() {
    }

    public static List<Step> of(Set<Fault> faults) {
        List<Step> steps = new ArrayList<>();
        if (faults.contains(Fault.WORKER_KILL)) {
            steps.add(new Step(Fault.WORKER_KILL, 0.10, 1));
        }
        if (faults.contains(Fault.TOPOLOGY_KILL)) {
            steps.add(new Step(Fault.TOPOLOGY_KILL, 0.20, 1));
        }
        if (faults.contains(Fault.WORKER_KILL)) {
            // the engine worker
            steps.add(new Step(Fault.WORKER_KILL, 0.35, 3));
        }
        if (faults.contains(Fault.BROKER_RESTART)) {
            steps.add(new Step(Fault.BROKER_RESTART, 0.45, 2));
        }
        if (faults.contains(Fault.WORKER_KILL)) {
            steps.add(new Step(Fault.WORKER_KILL, 0.60, 2));
        }
        if (faults.contains(Fault.REGISTRY_RESTART)) {
            steps.add(new Step(Fault.REGISTRY_RESTART, 0.70, 1));
        }
        return List.copyOf(steps);
    }
}

package io.bitnetstreams.chaos.run;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault a chaos run injects. */
public enum Fault {
    /** SIGKILL a worker (three times, each after at least 20% more progress), then start it again with its id */
    WORKER_KILL,
    /** SIGKILL one topology instance, then start it again */
    TOPOLOGY_KILL,
    /** SIGKILL one broker, then start it again with the same data and ports */
    BROKER_RESTART,
    /** stop the registry (SIGTERM) and start it again on the same port and storage */
    REGISTRY_RESTART;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code worker-kill,topology-kill,...}, {@code all} or {@code none}. */
    public static Set<Fault> parse(String spec) {
        String text = spec.strip().toLowerCase(Locale.ROOT);
        if (text.equals("all")) {
            return EnumSet.allOf(Fault.class);
        }
        EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
        if (text.isEmpty() || text.equals("none")) {
            return faults;
        }
        for (String part : text.split(",")) {
            String name = part.strip();
            Fault fault = null;
            for (Fault candidate : values()) {
                if (candidate.label().equals(name)) {
                    fault = candidate;
                }
            }
            if (fault == null) {
                throw new IllegalArgumentException("unknown fault '" + name + "'; known: worker-kill, topology-kill, "
                        + "broker-restart, registry-restart, all, none");
            }
            faults.add(fault);
        }
        return faults;
    }
}

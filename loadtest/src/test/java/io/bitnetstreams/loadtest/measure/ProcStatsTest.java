package io.bitnetstreams.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTimeIsUserPlusSystemTicksEvenWhenTheNameHasSpacesAndParentheses() {
        String stat = "4242 (java (worker) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 40 0 123 456 789";
        assertThat(ProcStats.cpuSeconds(stat)).isEqualTo(3.25);
    }

    @Test
    void rssComesFromVmRss() {
        assertThat(ProcStats.rssBytes("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  2048 kB\nThreads:\t40\n")).isEqualTo(2048 * 1024);
    }

    @Test
    void readsThisProcess() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc on this system");
        ProcStats.Reading reading = ProcStats.read(ProcessHandle.current().pid()).orElseThrow();
        assertThat(reading.rssBytes()).isGreaterThan(10_000_000);
        assertThat(reading.cpuSeconds()).isPositive();
        assertThat(ProcStats.read(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void threadsAreGroupedByNameWithoutTrailingNumbers() {
        assertThat(ProcStats.threadName("77 (GC Thread#1) S 1 2 3")).isEqualTo("GC Thread#1");
        assertThat(ProcStats.group("GC Thread#1")).isEqualTo("GC Thread");
        assertThat(ProcStats.group("kafka-producer-")).isEqualTo("kafka-producer-");
        assertThat(ProcStats.group("data-plane-kafka-request-handler-7")).isEqualTo("data-plane-kafka-request-handler");
        assertThat(ProcStats.group("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
        assertThat(ProcStats.group("pool-3-thread-12")).isEqualTo("pool-3-thread");
        assertThat(ProcStats.group("42")).isEqualTo("42");
    }

    @Test
    void readsTheThreadsOfThisProcess() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc on this system");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread busy = Thread.ofPlatform().name("busy-probe-1").start(() -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        });
        try {
            org.awaitility.Awaitility.await().until(() -> ProcStats.threadGroups(ProcessHandle.current().pid())
                    .getOrDefault("busy-probe", 0.0) >= 0.05);
        } finally {
            stop.set(true);
            busy.join();
        }
        // ended: gone from the listing. join() returns when the Java thread has terminated, a moment before the kernel
        // task has finished exiting and left /proc/PID/task, so wait for that (it failed now and then without the wait)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ProcStats.threadGroups(ProcessHandle.current().pid())).doesNotContainKey("busy-probe").isNotEmpty());
        assertThat(ProcStats.threadGroups(Long.MAX_VALUE)).isEmpty();
    }
}

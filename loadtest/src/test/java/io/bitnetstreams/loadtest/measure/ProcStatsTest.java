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
}

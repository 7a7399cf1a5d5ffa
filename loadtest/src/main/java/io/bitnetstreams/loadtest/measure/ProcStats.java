package io.bitnetstreams.loadtest.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}: {@code stat} fields utime and stime
 * (clock ticks) and {@code status}'s {@code VmRSS}. Empty when the process is gone or there is no {@code /proc}.
 */
public final class ProcStats {

    /** Clock ticks per second of {@code /proc/PID/stat}: USER_HZ, 100 on every Linux ABI the JDK runs on. */
    public static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** CPU seconds used so far and resident set in bytes. */
    public record Reading(double cpuSeconds, long rssBytes) {
    }

    public static Optional<Reading> read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return Optional.of(new Reading(cpuSeconds(stat), rssBytes(status)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** utime + stime: fields 14 and 15, counted after the command name, which may contain spaces and parentheses. */
    static double cpuSeconds(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    static long rssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0;
    }
}

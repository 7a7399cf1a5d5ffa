package io.bitnetstreams.loadtest.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

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

    /**
     * CPU seconds used so far by the live threads of a process, summed per thread group: the thread's name (as the
     * kernel keeps it: at most 15 characters) with trailing numbers dropped, so {@code GC Thread#0} and {@code #1} are
     * one {@code GC Thread}. Threads that have ended are not listed. Empty when the process is gone.
     */
    public static Map<String, Double> threadGroups(long pid) {
        Map<String, Double> groups = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    groups.merge(group(threadName(stat)), cpuSeconds(stat), Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return groups;
    }

    /** The name between the first '(' and the last ')' of a stat line. */
    static String threadName(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** A thread name without its trailing numbers ({@code kafka-producer-network-thread-3}, {@code GC Thread#1}). */
    static String group(String threadName) {
        String group = threadName.replaceAll("([-#_ .]?\\d+)+$", "");
        return group.isEmpty() ? threadName : group;
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

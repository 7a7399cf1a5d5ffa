package io.bitnetstreams.loadtest.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a report says about how it was made: the command line, the machine and its load average before and after,
 * the model, the workload, and notes (e.g. that a 2-core machine scales single-thread workers).
 */
public record ReportContext(String command, String started, String finished, String model, long modelBytes, int cores,
                            String loadAverageBefore, String loadAverageAfter, String workload, int threadsPerWorker,
                            List<String> notes) {

    /** The first three fields of {@code /proc/loadavg}, or "unknown". */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

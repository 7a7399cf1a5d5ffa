package io.bitnetstreams.standalone.run;

import io.bitnetstreams.launcher.client.OutcomeStatus;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The numbers of one run.
 *
 * @param lines           input lines (or files) read
 * @param requests        distinct requests sent into the pipeline
 * @param results         requests answered with a final result (DONE, PARTIAL or FAILED)
 * @param done            results with status DONE
 * @param deadLetters     dead letters: lines refused before sending plus requests the pipeline dead-lettered
 * @param duplicates      lines repeating an id (not processed again)
 * @param timedOut        requests without a final record when the run stopped waiting
 * @param repeatedResults final records that arrived for an already-ended request (exactly-once keeps it 0)
 * @param seconds         from the first request sent to the last final record
 */
public record RunSummary(int lines, int requests, int results, int done, int deadLetters, int duplicates, int timedOut,
                         int repeatedResults, double seconds, long p50Ms, long p95Ms, long maxMs, long promptTokens,
                         long generatedTokens) {

    public static RunSummary of(int lines, List<Outcome> outcomes, int requests, int duplicates, int repeatedResults,
                                double seconds) {
        Histogram latencies = new Histogram(3);
        int results = 0;
        int done = 0;
        int deadLetters = 0;
        int timedOut = 0;
        long promptTokens = 0;
        long generatedTokens = 0;
        for (Outcome outcome : outcomes) {
            switch (outcome.status()) {
                case DEAD_LETTER -> deadLetters++;
                case TIMED_OUT -> timedOut++;
                default -> {
                    results++;
                    if (outcome.status() == OutcomeStatus.DONE) {
                        done++;
                    }
                }
            }
            if (outcome.latencyMs() >= 0) {
                latencies.recordValue(outcome.latencyMs());
            }
            promptTokens += outcome.promptTokens();
            generatedTokens += outcome.generatedTokens();
        }
        boolean any = latencies.getTotalCount() > 0;
        return new RunSummary(lines, requests, results, done, deadLetters, duplicates, timedOut, repeatedResults, seconds,
                any ? latencies.getValueAtPercentile(50) : 0, any ? latencies.getValueAtPercentile(95) : 0,
                any ? latencies.getMaxValue() : 0, promptTokens, generatedTokens);
    }

    /** True when every request ended (with a result or a dead letter) exactly once. */
    public boolean complete() {
        return timedOut == 0 && repeatedResults == 0;
    }

    public double documentsPerSecond() {
        return rate(results);
    }

    public double promptTokensPerSecond() {
        return rate(promptTokens);
    }

    public double generatedTokensPerSecond() {
        return rate(generatedTokens);
    }

    private double rate(double count) {
        return seconds > 0 ? count / seconds : 0;
    }
}

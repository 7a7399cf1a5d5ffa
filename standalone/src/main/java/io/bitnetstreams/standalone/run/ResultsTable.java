package io.bitnetstreams.standalone.run;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The human-readable output of a run: one row per outcome, then the summary lines. */
public final class ResultsTable {

    private static final int ID_WIDTH = 26;
    private static final int RESULT_WIDTH = 70;

    private ResultsTable() {
    }

    public static void print(PrintWriter out, List<Outcome> outcomes) {
        out.printf("%-" + ID_WIDTH + "s %-9s %-11s %9s  %s%n", "REQUEST", "TASK", "STATUS", "LATENCY", "RESULT");
        for (Outcome outcome : outcomes) {
            String id = outcome.id() == null ? "(line " + outcome.line() + ")" : outcome.id();
            out.printf("%-" + ID_WIDTH + "s %-9s %-11s %9s  %s%n", fit(id, ID_WIDTH),
                    outcome.task() == null ? "-" : outcome.task(), outcome.status(),
                    outcome.latencyMs() < 0 ? "-" : outcome.latencyMs() + " ms", fit(oneLine(outcome.summary()), RESULT_WIDTH));
        }
        out.flush();
    }

    public static void printSummary(PrintWriter out, RunSummary summary) {
        out.printf(Locale.ROOT, "%nrequests %d (from %d input lines): %d results (%d done), %d dead letters, %d duplicates"
                        + "%s%s%n", summary.requests(), summary.lines(), summary.results(), summary.done(),
                summary.deadLetters(), summary.duplicates(),
                summary.timedOut() > 0 ? ", " + summary.timedOut() + " TIMED OUT" : "",
                summary.repeatedResults() > 0 ? ", " + summary.repeatedResults() + " REPEATED RESULTS" : "");
        out.printf(Locale.ROOT, "throughput %.2f documents/s over %.1f s; latency p50 %d ms, p95 %d ms, max %d ms%n",
                summary.documentsPerSecond(), summary.seconds(), summary.p50Ms(), summary.p95Ms(), summary.maxMs());
        out.printf(Locale.ROOT, "tokens: %d prompt (%.1f/s), %d generated (%.1f/s)%n", summary.promptTokens(),
                summary.promptTokensPerSecond(), summary.generatedTokens(), summary.generatedTokensPerSecond());
        out.flush();
    }

    /** One line, control characters (a synthetic model emits any byte, ESC included) shown as '?'. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isWhitespace(c)) {
                line.append(' ');
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                line.append('?');
            } else {
                line.appendCodePoint(c);
            }
        });
        return line.toString().replaceAll(" +", " ").strip();
    }

    static String fit(String text, int width) {
        if (text.codePointCount(0, text.length()) <= width) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, width - 3)) + "...";
    }
}

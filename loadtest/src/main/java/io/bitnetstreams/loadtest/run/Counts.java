package io.bitnetstreams.loadtest.run;

import io.bitnetstreams.loadtest.measure.Outcome;
import io.bitnetstreams.loadtest.measure.RequestRecord;
import java.util.List;

/**
 * How the requests of a run ended. {@code sent} counts requests the producer accepted; every one of them ends as
 * exactly one of done, partial, failed, dead letter or missing.
 */
public record Counts(int sent, int done, int partial, int failed, int deadLetters, int missing, int notSent) {

    public static Counts of(List<RequestRecord> records) {
        int[] by = new int[Outcome.values().length];
        records.forEach(r -> by[r.outcome().ordinal()]++);
        int notSent = by[Outcome.NOT_SENT.ordinal()];
        return new Counts(records.size() - notSent, by[Outcome.DONE.ordinal()], by[Outcome.PARTIAL.ordinal()],
                by[Outcome.FAILED.ordinal()], by[Outcome.DEAD_LETTER.ordinal()], by[Outcome.MISSING.ordinal()], notSent);
    }

    /** Final result records (done, partial or failed). */
    public int results() {
        return done + partial + failed;
    }

    /** True when every sent request came back as a result or a dead letter. */
    public boolean complete() {
        return missing == 0 && sent == results() + deadLetters;
    }
}

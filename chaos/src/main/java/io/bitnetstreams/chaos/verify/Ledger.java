package io.bitnetstreams.chaos.verify;

import io.bitnetstreams.chaos.workload.PlannedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a reader of the committed output saw, against what the run sent: for each request id the final results and
 * dead letters read. Thread-safe; the verdict can be taken at any time (during the faults: "lost" then means "not yet
 * answered").
 *
 * <p>The rules: a valid request has exactly one final result and no dead letter; an invalid one exactly one dead
 * letter and no result; a deterministic request's result has the content a run without faults gives; nothing is
 * read for an id that was not sent.
 */
public final class Ledger {

    /** How one request was answered. */
    public enum Answer { RESULT, DEAD_LETTER }

    private final Map<String, PlannedRequest> expected = new HashMap<>();
    private final Map<String, List<Answer>> answers = new HashMap<>();
    private final Map<String, String> mismatchExamples = new LinkedHashMap<>();
    private final List<String> unexpectedExamples = new ArrayList<>();
    private final AtomicInteger unknownAnswers = new AtomicInteger();
    private int mismatched;
    private int answered;

    public Ledger(List<PlannedRequest> plan) {
        plan.forEach(request -> expected.put(request.id(), request));
    }

    /** A final result was read for {@code id}, with content {@code content} (see {@code Content.of}). */
    public synchronized void result(String id, String content) {
        PlannedRequest request = record(id, Answer.RESULT);
        if (request != null && request.expectedContent() != null && !request.expectedContent().equals(content)) {
            mismatched++;
            if (mismatchExamples.size() < 5) {
                mismatchExamples.put(id, "expected " + request.expectedContent() + " but read " + content);
            }
        }
    }

    /** A dead letter was read for {@code id} (null when the dead letter names no request). */
    public synchronized void deadLetter(String id, String reason) {
        if (id == null) {
            unknownAnswers.incrementAndGet();
            example("a dead letter without a request id: " + reason);
            return;
        }
        record(id, Answer.DEAD_LETTER);
    }

    private PlannedRequest record(String id, Answer answer) {
        PlannedRequest request = expected.get(id);
        if (request == null) {
            unknownAnswers.incrementAndGet();
            example(answer + " for an id that was not sent: " + id);
            return null;
        }
        List<Answer> seen = answers.computeIfAbsent(id, k -> new ArrayList<>(1));
        if (seen.isEmpty()) {
            answered++;
        }
        seen.add(answer);
        return request;
    }

    private void example(String text) {
        if (unexpectedExamples.size() < 5) {
            unexpectedExamples.add(text);
        }
    }

    /** Requests with at least one answer. */
    public synchronized int answered() {
        return answered;
    }

    /** The counts now. */
    public synchronized Counts counts() {
        int results = 0;
        int deadLetters = 0;
        int lost = 0;
        int duplicated = 0;
        int wrongKind = 0;
        List<String> lostExamples = new ArrayList<>();
        List<String> duplicateExamples = new ArrayList<>();
        List<String> wrongKindExamples = new ArrayList<>();
        for (PlannedRequest request : expected.values()) {
            List<Answer> seen = answers.getOrDefault(request.id(), List.of());
            Answer wanted = request.expectsDeadLetter() ? Answer.DEAD_LETTER : Answer.RESULT;
            long right = seen.stream().filter(a -> a == wanted).count();
            long wrong = seen.size() - right;
            results += (int) seen.stream().filter(a -> a == Answer.RESULT).count();
            deadLetters += (int) seen.stream().filter(a -> a == Answer.DEAD_LETTER).count();
            if (seen.isEmpty()) {
                lost++;
                addExample(lostExamples, request.id() + " (" + request.kind() + ")");
            }
            if (seen.size() > 1) {
                duplicated++;
                addExample(duplicateExamples, request.id() + " " + seen);
            }
            if (wrong > 0) {
                wrongKind++;
                addExample(wrongKindExamples, request.id() + " wanted " + wanted + ", read " + seen);
            }
        }
        List<String> unexpected = new ArrayList<>(unexpectedExamples);
        unexpected.addAll(wrongKindExamples);
        return new Counts(expected.size(), results, deadLetters, lost, duplicated, mismatched,
                unknownAnswers.get() + wrongKind, lostExamples, duplicateExamples, List.copyOf(mismatchExamples.values()),
                unexpected);
    }

    private static void addExample(List<String> examples, String text) {
        if (examples.size() < 5) {
            examples.add(text);
        }
    }

    /**
     * @param results     final result records read (duplicates included)
     * @param deadLetters dead letter records read (duplicates included)
     * @param lost        requests with no answer
     * @param duplicated  requests with more than one answer
     * @param mismatched  deterministic results whose content differs from a run without faults
     * @param unexpected  answers for ids never sent, dead letters without an id, or answers of the wrong kind
     */
    public record Counts(int requests, int results, int deadLetters, int lost, int duplicated, int mismatched,
                         int unexpected, List<String> lostExamples, List<String> duplicateExamples,
                         List<String> mismatchExamples, List<String> unexpectedExamples) {

        /** Every request answered once, as it should be, with the right content, and nothing else. */
        public boolean clean() {
            return lost == 0 && duplicated == 0 && mismatched == 0 && unexpected == 0;
        }
    }
}

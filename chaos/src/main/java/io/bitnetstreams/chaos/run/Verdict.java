package io.bitnetstreams.chaos.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.chaos.verify.Ledger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a chaos run, printed as one line of JSON. {@link #passed} only when every request was sent and
 * answered exactly once as it should be (nothing lost, nothing duplicated, no content differing from a run without
 * faults, nothing unexpected).
 */
public record Verdict(int requests, int sent, Ledger.Counts counts, List<String> faults, List<String> problems,
                      double seconds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean passed() {
        return sent == requests && counts.clean() && problems.isEmpty();
    }

    public String json() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("requests", requests);
        line.put("results", counts.results());
        line.put("dead_letters", counts.deadLetters());
        line.put("lost", counts.lost());
        line.put("duplicated", counts.duplicated());
        line.put("faults", faults);
        line.put("seconds", Math.round(seconds * 10) / 10.0);
        line.put("sent", sent);
        line.put("mismatched", counts.mismatched());
        line.put("unexpected", counts.unexpected());
        line.put("passed", passed());
        if (!problems.isEmpty()) {
            line.put("problems", problems);
        }
        Map<String, List<String>> examples = new LinkedHashMap<>();
        putIfAny(examples, "lost", counts.lostExamples());
        putIfAny(examples, "duplicated", counts.duplicateExamples());
        putIfAny(examples, "mismatched", counts.mismatchExamples());
        putIfAny(examples, "unexpected", counts.unexpectedExamples());
        if (!examples.isEmpty()) {
            line.put("examples", examples);
        }
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIfAny(Map<String, List<String>> examples, String key, List<String> values) {
        if (!values.isEmpty()) {
            examples.put(key, values);
        }
    }
}

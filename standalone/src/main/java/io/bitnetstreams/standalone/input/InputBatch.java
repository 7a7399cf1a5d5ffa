package io.bitnetstreams.standalone.input;

import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything read from one input: the requests to send, the dead letters (lines that cannot become requests) and
 * the duplicates (lines repeating an id seen earlier; they are counted and never processed again).
 */
public record InputBatch(List<RequestSpec> requests, List<InputProblem> deadLetters, List<Duplicate> duplicates) {

    /** A line whose id was already used by an earlier line. */
    public record Duplicate(int line, String id) {
    }

    public InputBatch {
        requests = List.copyOf(requests);
        deadLetters = List.copyOf(deadLetters);
        duplicates = List.copyOf(duplicates);
    }

    /** Total lines (or files) read. */
    public int lines() {
        return requests.size() + deadLetters.size() + duplicates.size();
    }

    /** Sorts parsed lines into requests, dead letters and duplicates, first occurrence of an id winning. */
    public static InputBatch of(List<ParsedLine> lines) {
        List<RequestSpec> requests = new ArrayList<>();
        List<InputProblem> deadLetters = new ArrayList<>();
        List<Duplicate> duplicates = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ParsedLine line : lines) {
            if (line.id() != null && !ids.add(line.id())) {
                duplicates.add(new Duplicate(line.line(), line.id()));
                continue;
            }
            switch (line) {
                case ParsedLine.Valid valid -> requests.add(valid.request());
                case ParsedLine.Invalid invalid -> deadLetters.add(invalid.problem());
            }
        }
        return new InputBatch(requests, deadLetters, duplicates);
    }

    /** The first {@code limit} lines only (for quick runs); order is kept. */
    public static List<ParsedLine> firstLines(List<ParsedLine> lines, int limit) {
        return lines.size() <= limit ? lines : List.copyOf(lines.subList(0, limit));
    }
}

package io.bitnetstreams.contract.request;

/** What one input line turned into: a request, or a problem that makes it a dead letter. */
public sealed interface ParsedLine {

    int line();

    /** The id the line carried, or null when it had none usable. */
    String id();

    record Valid(RequestSpec request) implements ParsedLine {
        @Override
        public int line() {
            return request.line();
        }

        @Override
        public String id() {
            return request.id();
        }
    }

    record Invalid(InputProblem problem) implements ParsedLine {
        @Override
        public int line() {
            return problem.line();
        }

        @Override
        public String id() {
            return problem.id();
        }
    }
}

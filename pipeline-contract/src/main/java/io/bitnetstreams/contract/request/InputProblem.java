package io.bitnetstreams.contract.request;

/** Why an input line (or file) cannot become a request. {@code id} is null when the line had no usable id. */
public record InputProblem(int line, String id, String reason) {
}

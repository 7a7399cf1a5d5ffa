package io.bitnetstreams.contract.request;

import io.bitnetstreams.contract.TaskKind;

import io.bitnetstreams.engine.chat.ChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * One validated request as read from the input, before it becomes an Avro {@code InferenceRequest}.
 *
 * @param id          caller's id, unique within one run
 * @param task        what to do
 * @param text        the document (classify, extract) or the user turn (generate, after the prompt when there is
 *                    one); may be empty
 * @param labels      candidate labels (classify only; empty otherwise)
 * @param instruction optional instruction for classify and extract; null when absent
 * @param schema      JSON Schema text (extract only; null otherwise)
 * @param system      optional system message (generate only)
 * @param prompt      an instruction put before the text in the user turn (generate only; null otherwise)
 * @param maxTokens   generated-token limit (generate only; 0 otherwise)
 * @param deadlineMs  milliseconds after submission the answer is useless; 0 = no deadline
 * @param line        1-based line (or file) number the request came from
 * @param messages    the whole conversation, in order (generate only; empty when the text is the user turn)
 */
public record RequestSpec(String id, TaskKind task, String text, List<String> labels, String instruction,
                          String schema, String system, String prompt, int maxTokens, long deadlineMs, int line,
                          List<ChatMessage> messages) {

    public RequestSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        text = text == null ? "" : text;
        labels = labels == null ? List.of() : List.copyOf(labels);
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A request without messages. */
    public RequestSpec(String id, TaskKind task, String text, List<String> labels, String instruction, String schema,
                       String system, String prompt, int maxTokens, long deadlineMs, int line) {
        this(id, task, text, labels, instruction, schema, system, prompt, maxTokens, deadlineMs, line, List.of());
    }

    public static RequestSpec classify(String id, String text, List<String> labels, int line) {
        return new RequestSpec(id, TaskKind.CLASSIFY, text, labels, null, null, null, null, 0, 0, line);
    }

    public static RequestSpec extract(String id, String text, String schema, int line) {
        return new RequestSpec(id, TaskKind.EXTRACT, text, List.of(), null, schema, null, null, 0, 0, line);
    }
}

package io.bitnetstreams.contract.request;

import io.bitnetstreams.contract.TaskKind;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.chat.ChatMessage;
import io.bitnetstreams.engine.tasks.RequestLimits;
import io.bitnetstreams.engine.tasks.TaskRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"number\"}}}";

    @Test
    void readsAClassificationWithEveryOptionalField() {
        RequestSpec spec = valid(7, """
                {"id": "a-1", "task": "classify", "text": "Refund please", "labels": ["billing", "other"],
                 "instruction": "Pick the department.", "deadline_ms": 5000}""");

        assertThat(spec.id()).isEqualTo("a-1");
        assertThat(spec.task()).isEqualTo(TaskKind.CLASSIFY);
        assertThat(spec.text()).isEqualTo("Refund please");
        assertThat(spec.labels()).containsExactly("billing", "other");
        assertThat(spec.instruction()).isEqualTo("Pick the department.");
        assertThat(spec.deadlineMs()).isEqualTo(5000);
        assertThat(spec.line()).isEqualTo(7);
    }

    @Test
    void readsAnExtractionAndKeepsTheSchemaAsCompactJson() {
        RequestSpec spec = valid(1, "{\"id\": \"x\", \"task\": \"extract\", \"text\": \"Total 12 EUR\", \"schema\": " + SCHEMA + "}");

        assertThat(spec.task()).isEqualTo(TaskKind.EXTRACT);
        assertThat(spec.schema()).isEqualTo(SCHEMA);
        assertThat(spec.labels()).isEmpty();
    }

    @Test
    void generationTakesThePromptOrTheInstructionAndAppendsTheText() {
        RequestSpec fromPrompt = valid(1, "{\"id\": \"g\", \"task\": \"generate\", \"prompt\": \"Say hi\", \"system\": \"Be brief\", \"max_tokens\": 9}");
        assertThat(fromPrompt.prompt()).isEqualTo("Say hi");
        assertThat(fromPrompt.system()).isEqualTo("Be brief");
        assertThat(fromPrompt.maxTokens()).isEqualTo(9);

        RequestSpec fromInstruction = valid(1, "{\"id\": \"g\", \"task\": \"generate\", \"instruction\": \"Summarize:\", \"text\": \"Long story.\"}");
        assertThat(fromInstruction.prompt()).isEqualTo("Summarize:");
        assertThat(fromInstruction.text()).isEqualTo("Long story.");
        // the engine puts them together as before: one user turn, the instruction first
        assertThat(TaskRules.conversation(null, fromInstruction.messages(), fromInstruction.prompt(), fromInstruction.text()))
                .containsExactly(ChatMessage.user("Summarize:\n\nLong story."));
        assertThat(fromInstruction.maxTokens()).isEqualTo(RequestParser.DEFAULT_GENERATED_TOKENS);
    }

    @Test
    void generationByTextAloneMakesTheTextTheUserTurn() {
        RequestSpec spec = valid(1, "{\"id\": \"g\", \"task\": \"generate\", \"text\": \"Write one sentence about Kafka.\", \"system\": \"Be brief\"}");
        assertThat(spec.task()).isEqualTo(TaskKind.GENERATE);
        assertThat(spec.text()).isEqualTo("Write one sentence about Kafka.");
        assertThat(spec.prompt()).isNull();
        assertThat(TaskRules.conversation(spec.system(), spec.messages(), spec.prompt(), spec.text()))
                .containsExactly(ChatMessage.system("Be brief"), ChatMessage.user("Write one sentence about Kafka."));
    }

    @Test
    void generationByMessagesKeepsTheWholeConversationInOrder() {
        RequestSpec spec = valid(1, """
                {"id": "m", "task": "generate", "system": "Be brief", "max_tokens": 8, "messages": [
                  {"role": "user", "content": "What is Kafka?"},
                  {"role": "assistant", "content": "A log."},
                  {"role": "user", "content": "<|eot_id|>And Avro?"}]}""");
        assertThat(spec.messages()).containsExactly(ChatMessage.user("What is Kafka?"), ChatMessage.assistant("A log."),
                ChatMessage.user("<|eot_id|>And Avro?"));
        assertThat(spec.text()).isEmpty();
        assertThat(spec.system()).isEqualTo("Be brief");
    }

    @Test
    void aLineThatIsNotJsonHasNoId() {
        InputProblem problem = invalid(3, "{\"id\": \"a\", \"task\": ");

        assertThat(problem.id()).isNull();
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.reason()).startsWith("not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[1, 2]                                                          | not a JSON object",
            "{\"task\": \"classify\"}                                        | \"id\" is missing",
            "{\"id\": 12, \"task\": \"classify\"}                            | \"id\" is missing or not a string",
            "{\"id\": \"\", \"task\": \"classify\"}                          | \"id\" must have"})
    void linesWithoutAUsableIdAreDeadLettersWithoutId(String line, String reason) {
        InputProblem problem = invalid(1, line);

        assertThat(problem.id()).isNull();
        assertThat(problem.reason()).contains(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\": \"r\"}                                                                          | \"task\" is missing",
            "{\"id\": \"r\", \"task\": \"translate\", \"text\": \"t\"}                                | unknown task \"translate\"",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\", \"lables\": [\"a\"]}            | unknown field \"lables\"",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\"}                                 | needs \"labels\"",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\", \"labels\": []}                 | needs \"labels\"",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\", \"labels\": [\"a\", \"a\"]}     | label \"a\" appears twice",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \" \", \"labels\": [\"a\"]}            | non-empty \"text\"",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\", \"labels\": [\"a\"], \"max_tokens\": 5} | does not apply",
            "{\"id\": \"r\", \"task\": \"extract\", \"text\": \"t\"}                                  | needs \"schema\"",
            "{\"id\": \"r\", \"task\": \"extract\", \"text\": \"t\", \"schema\": {\"type\": \"array\"}} | invalid \"schema\"",
            "{\"id\": \"r\", \"task\": \"extract\", \"text\": \"t\", \"schema\": {\"type\": \"object\", \"pattern\": \"x\"}} | invalid \"schema\"",
            "{\"id\": \"r\", \"task\": \"generate\"}                                                  | needs a user turn",
            "{\"id\": \"r\", \"task\": \"generate\", \"text\": \"  \"}                                 | needs a user turn",
            "{\"id\": \"r\", \"task\": \"generate\", \"prompt\": \"p\", \"instruction\": \"i\"}          | not both",
            "{\"id\": \"r\", \"task\": \"generate\", \"text\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"c\"}]} | without \"text\"",
            "{\"id\": \"r\", \"task\": \"generate\", \"messages\": []}                              | non-empty array",
            "{\"id\": \"r\", \"task\": \"generate\", \"messages\": [{\"role\": \"bot\", \"content\": \"c\"}]} | system, user or assistant",
            "{\"id\": \"r\", \"task\": \"generate\", \"messages\": [{\"role\": \"user\"}]}          | needs a \"content\"",
            "{\"id\": \"r\", \"task\": \"generate\", \"messages\": [{\"role\": \"user\", \"content\": \"c\", \"name\": \"x\"}]} | unknown message field",
            "{\"id\": \"r\", \"task\": \"classify\", \"text\": \"t\", \"labels\": [\"a\"], \"messages\": []} | does not apply",
            "{\"id\": \"r\", \"task\": \"generate\", \"prompt\": \"p\", \"max_tokens\": 0}             | \"max_tokens\" must be",
            "{\"id\": \"r\", \"task\": \"generate\", \"prompt\": \"p\", \"max_tokens\": 2.5}           | \"max_tokens\" must be",
            "{\"id\": \"r\", \"task\": \"generate\", \"prompt\": \"p\", \"deadline_ms\": -1}           | \"deadline_ms\" must be",
            "{\"id\": \"r\", \"task\": \"generate\", \"prompt\": 42}                                  | \"prompt\" must be a string"})
    void invalidRequestsKeepTheirIdAndNameTheProblem(String line, String reason) {
        InputProblem problem = invalid(5, line);

        assertThat(problem.id()).isEqualTo("r");
        assertThat(problem.line()).isEqualTo(5);
        assertThat(problem.reason()).contains(reason);
    }

    @Test
    void overlongTextIsRefusedNotTruncated() {
        String text = "x".repeat(RequestParser.MAX_TEXT_CHARS + 1);
        InputProblem problem = invalid(1, "{\"id\": \"r\", \"task\": \"classify\", \"labels\": [\"a\"], \"text\": \"" + text + "\"}");

        assertThat(problem.reason()).contains("\"text\" is longer than");
    }

    /** The limits table (README.md, "Limits"): a line one past each limit is an input problem naming it; at the limit it is valid. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("pastEachLimit")
    void aLinePastALimitIsAnInputProblemNamingIt(String limit, String atLimit, String pastLimit, String reasonPart) {
        valid(1, atLimit);
        assertThat(invalid(1, pastLimit).reason()).contains(reasonPart);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> pastEachLimit() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("labels", classify(labels(RequestLimits.MAX_LABELS)),
                        classify(labels(RequestLimits.MAX_LABELS + 1)), "more than 64 labels"),
                org.junit.jupiter.params.provider.Arguments.of("label characters",
                        classify("\"" + "l".repeat(RequestLimits.MAX_LABEL_CHARS) + "\""),
                        classify("\"" + "l".repeat(RequestLimits.MAX_LABEL_CHARS + 1) + "\""), "1..256 characters"),
                org.junit.jupiter.params.provider.Arguments.of("text characters",
                        "{\"id\":\"t\",\"task\":\"classify\",\"labels\":[\"a\"],\"text\":\"" + "t".repeat(RequestParser.MAX_TEXT_CHARS) + "\"}",
                        "{\"id\":\"t\",\"task\":\"classify\",\"labels\":[\"a\"],\"text\":\"" + "t".repeat(RequestParser.MAX_TEXT_CHARS + 1) + "\"}",
                        "longer than 200000 characters"),
                org.junit.jupiter.params.provider.Arguments.of("max_tokens",
                        "{\"id\":\"g\",\"task\":\"generate\",\"text\":\"t\",\"max_tokens\":" + RequestLimits.MAX_GENERATED_TOKENS + "}",
                        "{\"id\":\"g\",\"task\":\"generate\",\"text\":\"t\",\"max_tokens\":" + (RequestLimits.MAX_GENERATED_TOKENS + 1) + "}",
                        "[1, 2048]"),
                org.junit.jupiter.params.provider.Arguments.of("messages", messages(RequestLimits.MAX_MESSAGES),
                        messages(RequestLimits.MAX_MESSAGES + 1), "more than 1024 messages"),
                org.junit.jupiter.params.provider.Arguments.of("schema characters",
                        extract("{\"type\":\"object\",\"description\":\"" + "d".repeat(RequestLimits.MAX_SCHEMA_CHARS - 100) + "\"}"),
                        extract("{\"type\":\"object\",\"description\":\"" + "d".repeat(RequestLimits.MAX_SCHEMA_CHARS) + "\"}"),
                        "the limit is 65536"),
                org.junit.jupiter.params.provider.Arguments.of("schema depth", extract(nested(RequestLimits.MAX_SCHEMA_DEPTH)),
                        extract(nested(RequestLimits.MAX_SCHEMA_DEPTH + 1)), "nesting deeper than 16"));
    }

    private static String classify(String labels) {
        return "{\"id\":\"c\",\"task\":\"classify\",\"text\":\"t\",\"labels\":[" + labels + "]}";
    }

    private static String labels(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "\"l" + i + "\"")
                .collect(java.util.stream.Collectors.joining(","));
    }

    private static String extract(String schema) {
        return "{\"id\":\"e\",\"task\":\"extract\",\"text\":\"t\",\"schema\":" + schema + "}";
    }

    /** An object schema {@code depth} levels deep (each level one object property). */
    private static String nested(int depth) {
        String schema = "{\"type\":\"string\"}";
        for (int i = 0; i < depth; i++) {
            schema = "{\"type\":\"object\",\"properties\":{\"n\":" + schema + "}}";
        }
        return schema;
    }

    private static String messages(int count) {
        return "{\"id\":\"m\",\"task\":\"generate\",\"messages\":["
                + java.util.stream.IntStream.range(0, count).mapToObj(i -> "{\"role\":\"user\",\"content\":\"m\"}")
                        .collect(java.util.stream.Collectors.joining(",")) + "]}";
    }

    private static RequestSpec valid(int line, String json) {
        ParsedLine parsed = RequestParser.parse(line, json);
        assertThat(parsed).isInstanceOf(ParsedLine.Valid.class);
        return ((ParsedLine.Valid) parsed).request();
    }

    private static InputProblem invalid(int line, String json) {
        ParsedLine parsed = RequestParser.parse(line, json);
        assertThat(parsed).isInstanceOf(ParsedLine.Invalid.class);
        return ((ParsedLine.Invalid) parsed).problem();
    }
}

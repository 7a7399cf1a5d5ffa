package io.bitnetstreams.contract.request;

import io.bitnetstreams.contract.TaskKind;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(fromInstruction.prompt()).isEqualTo("Summarize:\n\nLong story.");
        assertThat(fromInstruction.maxTokens()).isEqualTo(RequestParser.DEFAULT_GENERATED_TOKENS);
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
            "{\"id\": \"r\", \"task\": \"generate\"}                                                  | non-empty \"prompt\"",
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

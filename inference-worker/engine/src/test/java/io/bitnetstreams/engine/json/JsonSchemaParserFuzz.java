package io.bitnetstreams.engine.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer target: any text is either an extraction schema the constrained decoder can compile, or fails with one
 * {@link InvalidSchemaException}; never another exception, a stack overflow, an out-of-memory error or a hang.
 * Seeds: {@code JsonSchemaParserFuzzInputs/parse/} (schemas we wrote, valid and invalid).
 */
class JsonSchemaParserFuzz {

    @FuzzTest
    void parse(byte[] input) {
        JsonSchema schema;
        try {
            schema = JsonSchemaParser.parse(new String(input, StandardCharsets.UTF_8));
        } catch (InvalidSchemaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        JsonAutomaton automaton = new JsonAutomaton(schema);
        assertThat(automaton.initial()).isNotNull();
    }
}

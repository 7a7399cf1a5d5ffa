package io.bitnetstreams.engine.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jazzer target for the constrained-JSON decoder. Input: schema text, a NUL byte, then the bytes a model would emit.
 * The automaton takes the longest accepted prefix of those bytes; when that prefix is a complete document it must
 * be JSON that the schema's own validator accepts, and whatever the prefix, the partial-JSON closer must give a
 * JSON value without throwing. Schemas the parser refuses are skipped (the schema target covers them).
 * Seeds: {@code ConstrainedJsonFuzzInputs/decode/} (schema NUL document, written by us).
 */
class ConstrainedJsonFuzz {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest
    void decode(byte[] input) throws IOException {
        int nul = indexOf(input, (byte) 0);
        if (nul < 0) {
            return;
        }
        JsonSchema schema;
        try {
            schema = JsonSchemaParser.parse(new String(input, 0, nul, StandardCharsets.UTF_8));
        } catch (InvalidSchemaException notASchema) {
            return;
        }
        JsonAutomaton automaton = new JsonAutomaton(schema);
        byte[] emitted = Arrays.copyOfRange(input, nul + 1, input.length);
        JsonState state = automaton.initial();
        int accepted = 0;
        while (accepted < emitted.length && !JsonAutomaton.isComplete(state)) {
            JsonState next = automaton.advance(state, emitted[accepted] & 0xFF);
            if (next == null) {
                break;
            }
            state = next;
            accepted++;
        }
        byte[] prefix = Arrays.copyOf(emitted, accepted);
        if (JsonAutomaton.isComplete(state)) {
            JsonNode document = MAPPER.readTree(prefix);
            assertThat(SchemaValidator.violations(schema, document))
                    .as("accepted %s", new String(prefix, StandardCharsets.UTF_8)).isEmpty();
            assertThat(automaton.accepts(prefix)).isTrue();
        }
        assertThat(PartialJson.close(prefix)).isNotNull();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

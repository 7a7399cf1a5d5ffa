package io.bitnetstreams.engine.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonAutomatonTest {

    private static JsonSchema schema(String text) {
        return JsonSchemaParser.parse(text);
    }

    private static boolean accepts(JsonSchema s, String text) {
        return new JsonAutomaton(s).accepts(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsCompactDocumentsAndRejectsWhatTheSchemaForbids() {
        JsonSchema s = schema("""
                {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","maxLength":3},
                 "c":{"type":"array","items":{"type":"number"},"minItems":1,"maxItems":2},"d":{"enum":[1,12,"x"]}},
                 "required":["b"]}""");
        assertThat(accepts(s, "{\"b\":\"\"}")).isTrue();
        assertThat(accepts(s, "{\"a\": -12, \"b\":\"é€😀\",\"c\":[0.5, 3],\"d\":12}")).isTrue();
        assertThat(accepts(s, "{\"b\":\"x\",\"d\":1}")).isTrue();
        assertThat(accepts(s, "{\"b\":\"x\",\"d\":\"x\"}")).isTrue();
        assertThat(accepts(s, "{}")).as("required b missing").isFalse();
        assertThat(accepts(s, "{\"b\":\"abcd\"}")).as("maxLength").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\",\"a\":1}")).as("declared order").isFalse();
        assertThat(accepts(s, "{\"a\":1.5,\"b\":\"x\"}")).as("integer").isFalse();
        assertThat(accepts(s, "{\"a\":01,\"b\":\"x\"}")).as("leading zero").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\",\"c\":[]}")).as("minItems").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\",\"c\":[1,2,3]}")).as("maxItems").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\",\"d\":2}")).as("enum").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\",}")).as("trailing comma").isFalse();
        assertThat(accepts(s, "{\"b\":\"\\u0041\"}")).as("no \\u escapes").isFalse();
        assertThat(accepts(s, "{\"b\":\"\n\"}")).as("raw control character").isFalse();
        byte[] invalidUtf8 = {'{', '"', 'b', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'};
        assertThat(new JsonAutomaton(s).accepts(invalidUtf8)).as("overlong UTF-8").isFalse();
        assertThat(accepts(s, "{\"b\":\"x\"} ")).as("nothing after the document").isFalse();
    }

    @Test
    void randomDocumentsOfRandomSchemasAreAcceptedAndValid() {
        Random r = new Random(1);
        for (int round = 0; round < 300; round++) {
            JsonSchema s = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            JsonAutomaton automaton = new JsonAutomaton(s);
            for (int d = 0; d < 5; d++) {
                String doc = RandomSchemas.document(s, r);
                assertThat(automaton.accepts(doc.getBytes(StandardCharsets.UTF_8))).as(doc + " for " + s).isTrue();
                assertThat(SchemaValidator.violations(s, RandomSchemas.parse(doc))).as(doc).isEmpty();
            }
        }
    }

    /** Soundness: whatever the automaton accepts in full parses and validates, including mutated texts. */
    @Test
    void everyAcceptedMutationParsesAndValidates() {
        Random r = new Random(2);
        byte[] alphabet = "{}[]\":,. -0123456789abtrufalsenx\\é".getBytes(StandardCharsets.UTF_8);
        int accepted = 0;
        for (int round = 0; round < 200; round++) {
            JsonSchema s = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            JsonAutomaton automaton = new JsonAutomaton(s);
            for (int m = 0; m < 30; m++) {
                byte[] doc = RandomSchemas.document(s, r).getBytes(StandardCharsets.UTF_8);
                int at = r.nextInt(doc.length);
                switch (r.nextInt(3)) {
                    case 0 -> doc[at] = alphabet[r.nextInt(alphabet.length)];
                    case 1 -> doc = concat(doc, at, new byte[] {alphabet[r.nextInt(alphabet.length)]}, at);
                    default -> doc = concat(doc, at, new byte[0], at + 1);
                }
                if (automaton.accepts(doc)) {
                    accepted++;
                    String text = new String(doc, StandardCharsets.UTF_8);
                    assertThat(SchemaValidator.violations(s, RandomSchemas.parse(text))).as(text).isEmpty();
                }
            }
        }
        assertThat(accepted).as("some mutations stay valid (e.g. other digits)").isPositive();
    }

    @Test
    void partialDocumentsCloseIntoValidJsonWithTheCompletedMembers() {
        JsonSchema s = schema("""
                {"type":"object","properties":{"a":{"type":"integer"},"o":{"type":"object","properties":{
                 "x":{"type":"boolean"},"y":{"type":"string"}}},"n":{"type":"number"}}}""");
        String doc = "{\"a\":12,\"o\":{\"x\":true,\"y\":\"hel";
        assertThat(PartialJson.close(doc.getBytes(StandardCharsets.UTF_8)).toString())
                .isEqualTo("{\"a\":12,\"o\":{\"x\":true}}");
        assertThat(PartialJson.close("{\"a\":12,\"o\":{},\"n\":3".getBytes(StandardCharsets.UTF_8)).toString())
                .as("a trailing number might have had more digits").isEqualTo("{\"a\":12,\"o\":{}}");
        Random r = new Random(3);
        for (int round = 0; round < 200; round++) {
            JsonSchema random = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            byte[] full = RandomSchemas.document(random, r).getBytes(StandardCharsets.UTF_8);
            byte[] cut = java.util.Arrays.copyOf(full, r.nextInt(full.length + 1));
            JsonNode closed = PartialJson.close(cut);
            assertThat(closed.isObject()).isTrue();
            assertThat(RandomSchemas.parse(closed.toString())).isEqualTo(closed);
            if (cut.length == full.length) {
                assertThat(closed).isEqualTo(RandomSchemas.parse(new String(full, StandardCharsets.UTF_8)));
            }
        }
    }

    private static byte[] concat(byte[] doc, int cutFrom, byte[] insert, int resumeAt) {
        byte[] out = new byte[cutFrom + insert.length + doc.length - resumeAt];
        System.arraycopy(doc, 0, out, 0, cutFrom);
        System.arraycopy(insert, 0, out, cutFrom, insert.length);
        System.arraycopy(doc, resumeAt, out, cutFrom + insert.length, doc.length - resumeAt);
        return out;
    }
}

package io.bitnetstreams.engine.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenMaskerTest {

    private static final Tokenizer BYTES = Llama3Tokenizer.create(Vocabulary.byteLevel(), null);

    /** Outcome of one masked random decoding run. */
    private record Run(byte[] text, boolean complete) {
    }

    /** Picks uniformly among allowed tokens (biased towards structure half the time so runs finish). */
    private static Run decode(TokenMasker masker, Tokenizer tokenizer, Random r, int maxTokens) {
        JsonState state = masker.automaton().initial();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int step = 0; step < maxTokens && !JsonAutomaton.isComplete(state); step++) {
            BitSet allowed = masker.allowed(state);
            assertThat(allowed.cardinality()).as("decoding never gets stuck after " + out).isPositive();
            int id = pick(allowed, tokenizer, r);
            state = masker.advance(state, id);
            assertThat(state).isNotNull();
            out.writeBytes(tokenizer.tokenBytes(id));
        }
        return new Run(out.toByteArray(), JsonAutomaton.isComplete(state));
    }

    private static int pick(BitSet allowed, Tokenizer tokenizer, Random r) {
        if (r.nextInt(3) > 0) {
            // prefer tokens that close something, so most runs complete
            for (int id = allowed.nextSetBit(0); id >= 0; id = allowed.nextSetBit(id + 1)) {
                byte[] b = tokenizer.tokenBytes(id);
                if (b.length == 1 && (b[0] == '"' || b[0] == '}' || b[0] == ']') && r.nextBoolean()) {
                    return id;
                }
            }
        }
        int n = r.nextInt(allowed.cardinality());
        int id = allowed.nextSetBit(0);
        for (int i = 0; i < n; i++) {
            id = allowed.nextSetBit(id + 1);
        }
        return id;
    }

    private static void checkRun(JsonSchema schema, Run run) {
        String text = new String(run.text(), java.nio.charset.StandardCharsets.UTF_8);
        if (run.complete()) {
            JsonNode node = RandomSchemas.parse(text);
            assertThat(SchemaValidator.violations(schema, node)).as(text).isEmpty();
        } else {
            JsonNode closed = PartialJson.close(run.text());
            assertThat(RandomSchemas.parse(closed.toString())).as(text).isEqualTo(closed);
        }
    }

    @Test
    void maskedRandomDecodingOverBytesAlwaysYieldsSchemaValidJson() {
        Random r = new Random(7);
        int complete = 0;
        for (int round = 0; round < 150; round++) {
            JsonSchema schema = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            TokenMasker masker = new TokenMasker(schema, BYTES);
            Run run = decode(masker, BYTES, r, 400);
            checkRun(schema, run);
            complete += run.complete() ? 1 : 0;
        }
        assertThat(complete).isGreaterThan(100);
    }

    @Test
    void maskEqualsTokenByTokenSimulation() {
        Random r = new Random(11);
        for (int round = 0; round < 30; round++) {
            JsonSchema schema = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            TokenMasker masker = new TokenMasker(schema, BYTES);
            byte[] doc = RandomSchemas.document(schema, r).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            JsonState state = masker.automaton().initial();
            for (int i = 0; i <= doc.length; i++) {
                BitSet expected = new BitSet();
                for (int id = 0; id < BYTES.vocabularySize(); id++) {
                    if (masker.advance(state, id) != null) {
                        expected.set(id);
                    }
                }
                assertThat(masker.allowed(state)).isEqualTo(expected);
                if (i < doc.length) {
                    state = masker.automaton().advance(state, doc[i] & 0xFF);
                }
            }
            assertThat(JsonAutomaton.isComplete(state)).isTrue();
        }
    }

    @Test
    void realLlama3VocabularyDecodesSchemaValidJson() {
        String shared = System.getProperty("bitnet.shared.dir");
        assumeTrue(shared != null, "bitnet.shared.dir not set");
        Path file = Path.of(shared, "data", "llama3-tokenizer.model");
        assumeTrue(Files.isRegularFile(file), "llama3-tokenizer.model absent");
        Tokenizer tokenizer = Llama3Tokenizer.create(Vocabulary.fromTiktoken(file), null);
        Random r = new Random(5);
        long start = System.nanoTime();
        VocabularyTrie trie = VocabularyTrie.of(tokenizer);
        assertThat(VocabularyTrie.of(tokenizer)).as("built once per vocabulary").isSameAs(trie);
        org.slf4j.LoggerFactory.getLogger(TokenMaskerTest.class).info("trie of {} nodes in {} ms", trie.nodeCount(),
                (System.nanoTime() - start) / 1_000_000);
        for (int round = 0; round < 6; round++) {
            JsonSchema schema = JsonSchemaParser.parse(RandomSchemas.objectSchemaText(r, 0));
            TokenMasker masker = new TokenMasker(schema, tokenizer);
            Run run = decode(masker, tokenizer, r, 60);
            checkRun(schema, run);
            // the mask from the reached state agrees with simulating every token
            JsonState state = masker.automaton().advance(masker.automaton().initial(), run.text());
            BitSet expected = new BitSet();
            for (int id = 0; id < tokenizer.vocabularySize(); id++) {
                if (masker.advance(state, id) != null) {
                    expected.set(id);
                }
            }
            assertThat(masker.allowed(state)).isEqualTo(expected);
        }
    }
}

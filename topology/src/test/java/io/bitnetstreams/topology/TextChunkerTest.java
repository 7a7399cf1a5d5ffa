package io.bitnetstreams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    private final Tokenizer bytes = Fixture.BYTE_TOKENIZER;

    @Test
    void shortTextIsOneChunk() {
        var chunks = new TextChunker(bytes, 64, 8).split("short");
        assertThat(chunks).containsExactly(new TextChunker.Chunk("short", 5));
    }

    @Test
    void chunksRespectTheBudgetOverlapAndCoverTheText() {
        String text = BitnetTopologyTest.sentences(60);
        List<TextChunker.Chunk> chunks = new TextChunker(bytes, 100, 10).split(text);
        assertThat(chunks.size()).isGreaterThan(10);
        int covered = 0;
        for (var chunk : chunks) {
            assertThat(chunk.tokens()).isBetween(1, 100);
            assertThat(bytes.encode(chunk.text())).hasSize(chunk.tokens());
            int at = text.indexOf(chunk.text(), Math.max(0, covered - 20));
            assertThat(at).as("chunk is a piece of the text, in order").isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(covered);
            covered = at + chunk.text().length();
        }
        assertThat(covered).isEqualTo(text.length());
        // neighbours share the overlap
        assertThat(chunks.get(1).text()).startsWith(chunks.get(0).text().substring(chunks.get(0).text().length() - 10));
    }

    @Test
    void prefersParagraphThenSentenceBreaks() {
        String paragraph = "aaaa aaaa aaaa aaaa. bbbb bbbb bbbb.\n\ncccc cccc cccc cccc cccc cccc cccc cccc";
        var chunks = new TextChunker(bytes, 48, 0).split(paragraph);
        assertThat(chunks.getFirst().text()).endsWith("bbbb.\n\n");
        String sentences = "aaaa aaaa aaaa aaaa aaaa aaaa. bbbb bbbb bbbb cccc cccc cccc cccc cccc cccc";
        assertThat(new TextChunker(bytes, 48, 0).split(sentences).getFirst().text()).endsWith("aaaa.");
    }

    @Test
    void multiByteCharactersAreNeverCut() {
        String text = "é€😀".repeat(200);
        var chunks = new TextChunker(bytes, 32, 4).split(text);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.text()).doesNotContain("\uFFFD");
            assertThat(Character.isLowSurrogate(chunk.text().charAt(0))).isFalse();
        });
        assertThat(String.join("", chunks.stream().map(TextChunker.Chunk::text).toList()).length())
                .isGreaterThanOrEqualTo(text.length());
    }

    @Test
    void rejectsOverlapOverHalfTheBudget() {
        assertThatThrownBy(() -> new TextChunker(bytes, 64, 40)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realLlama3VocabularyChunksOnTokenBoundaries() {
        Path ranks = Path.of(System.getProperty("bitnet.shared.dir", "/nonexistent"), "data", "llama3-tokenizer.model");
        Assumptions.assumeTrue(Files.isRegularFile(ranks), "shared Llama 3 vocabulary not present");
        Tokenizer llama = Llama3Tokenizer.fromTiktoken(ranks);
        String text = BitnetTopologyTest.sentences(300);
        var chunks = new TextChunker(llama, 128, 16).split(text);
        assertThat(chunks.size()).isGreaterThan(3);
        assertThat(chunks).allSatisfy(chunk -> assertThat(llama.encode(chunk.text()).length).isLessThanOrEqualTo(130));
        assertThat(chunks.getLast().text()).endsWith("Sentence number 299 is here.");
    }
}

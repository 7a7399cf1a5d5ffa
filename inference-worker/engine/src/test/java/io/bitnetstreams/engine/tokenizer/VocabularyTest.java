package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {

    @TempDir
    Path dir;

    @Test
    void byteLevelHasTheBytesThenFiveSpecials() {
        Vocabulary vocabulary = Vocabulary.byteLevel();

        assertThat(vocabulary.size()).isEqualTo(261);
        assertThat(vocabulary.merges()).isEmpty();
        assertThat(vocabulary.tokens().get('A')).isEqualTo("A");
        assertThat(vocabulary.tokens().get(' ')).isEqualTo("Ġ");
        assertThat(vocabulary.tokens().get('\n')).isEqualTo("Ċ");
        assertThat(vocabulary.tokens().get(0xAD)).isEqualTo("Ń");
        assertThat(vocabulary.tokens().subList(256, 261)).containsExactly(
                "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
        assertThat(vocabulary.tokenType(255)).isEqualTo(Vocabulary.TYPE_NORMAL);
        assertThat(vocabulary.tokenType(260)).isEqualTo(Vocabulary.TYPE_CONTROL);
        assertThat(List.of(vocabulary.bosId(), vocabulary.eosId(), vocabulary.eotId())).containsExactly(256, 257, 260);
        assertThat(new HashSet<>(vocabulary.tokens().subList(0, 256))).hasSize(256);
    }

    @Test
    void llama3SpecialsAreNamedLikeLlama31() {
        List<String> specials = Vocabulary.llama3SpecialTokens();

        assertThat(specials).hasSize(256).doesNotHaveDuplicates();
        assertThat(specials.subList(0, 12)).containsExactly("<|begin_of_text|>", "<|end_of_text|>",
                "<|reserved_special_token_0|>", "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>",
                "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>",
                "<|python_tag|>", "<|reserved_special_token_3|>");
        assertThat(specials.get(255)).isEqualTo("<|reserved_special_token_247|>");
    }

    @Test
    void derivesMergesOrderedByMergedRankThenLeftRankThenRightRank() throws IOException {
        // "xy" outranks "x", so for "xyz" the split xy|z comes before x|yz although it splits later.
        Path file = ranksFile("xy 0", "x 1", "y 2", "z 3", "yz 4", "xyz 5", "\u00ff 6", "  7", " x 8");

        Vocabulary vocabulary = Vocabulary.fromTiktoken(file);

        assertThat(vocabulary.merges()).containsExactly("x y", "y z", "xy z", "x yz", "Ġ x");
        assertThat(vocabulary.tokens().subList(0, 9)).containsExactly("xy", "x", "y", "z", "yz", "xyz", "ÿ", "Ġ", "Ġx");
        assertThat(vocabulary.size()).isEqualTo(9 + 256);
        assertThat(vocabulary.tokens().get(9)).isEqualTo("<|begin_of_text|>");
        assertThat(vocabulary.tokens().get(18)).isEqualTo("<|eot_id|>");
        assertThat(List.of(vocabulary.bosId(), vocabulary.eosId(), vocabulary.eotId())).containsExactly(9, 10, 18);
        assertThat(vocabulary.tokenType(8)).isEqualTo(Vocabulary.TYPE_NORMAL);
        assertThat(vocabulary.tokenType(9)).isEqualTo(Vocabulary.TYPE_CONTROL);
    }

    @Test
    void rejectsMalformedRanksFilesNamingTheProblem() throws IOException {
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a 0", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(writeLines("!!!! 0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a 0", "b 0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 0 appears twice");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a 0", "b 2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no token of rank 1");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a 0", "a 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a -1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank -1");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(ranksFile("a 99999999")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 99999999");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(writeLines("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no token");
        assertThatThrownBy(() -> Vocabulary.fromTiktoken(dir.resolve("missing.model")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing.model");
    }

    @Test
    void validatesItsComponentsAndCopiesThem() {
        List<String> tokens = List.of("a", "b");
        assertThatThrownBy(() -> new Vocabulary(tokens, List.of(), new int[] {1}, -1, -1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token_type");
        assertThatThrownBy(() -> new Vocabulary(tokens, List.of(), new int[] {1, 1}, 2, -1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bos id 2");
        assertThatThrownBy(() -> new Vocabulary(List.of(), List.of(), new int[0], -1, -1, -1))
                .isInstanceOf(IllegalArgumentException.class);

        int[] types = {1, 1};
        Vocabulary vocabulary = new Vocabulary(tokens, List.of(), types, -1, -1, -1);
        types[0] = 3;
        vocabulary.tokenTypes()[1] = 3;
        assertThat(vocabulary.tokenTypes()).containsExactly(1, 1);
        assertThat(vocabulary).isEqualTo(new Vocabulary(tokens, List.of(), new int[] {1, 1}, -1, -1, -1));
    }

    @Test
    void realLlama3RanksGiveTheKnownVocabularyAndMergeCount() {
        Vocabulary vocabulary = SharedVocabulary.vocabulary();

        assertThat(vocabulary.size()).isEqualTo(128_256);
        assertThat(vocabulary.merges()).hasSize(280_147);
        // The first merges as llama.cpp lists them for Llama 3 GGUF files.
        assertThat(vocabulary.merges().subList(0, 3)).containsExactly("Ġ Ġ", "Ġ ĠĠĠ", "ĠĠ ĠĠ");
        assertThat(vocabulary.tokens().get(9906)).isEqualTo("Hello");
        assertThat(vocabulary.tokens().get(1917)).isEqualTo("Ġworld");
        assertThat(vocabulary.tokens().get(128000)).isEqualTo("<|begin_of_text|>");
        assertThat(vocabulary.tokens().get(128004)).isEqualTo("<|finetune_right_pad_id|>");
        assertThat(vocabulary.tokens().get(128006)).isEqualTo("<|start_header_id|>");
        assertThat(vocabulary.tokens().get(128009)).isEqualTo("<|eot_id|>");
        assertThat(vocabulary.tokens().get(128255)).isEqualTo("<|reserved_special_token_247|>");
        assertThat(List.of(vocabulary.bosId(), vocabulary.eosId(), vocabulary.eotId()))
                .containsExactly(128000, 128001, 128009);
    }

    /** Lines "text rank" with the text's ISO-8859-1 bytes base64-encoded. */
    private Path ranksFile(String... entries) throws IOException {
        String[] lines = new String[entries.length];
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i];
            int space = entry.lastIndexOf(' ');
            String token = space < 0 ? entry : entry.substring(0, space);
            String rank = space < 0 ? "" : entry.substring(space);
            lines[i] = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.ISO_8859_1)) + rank;
        }
        return writeLines(lines);
    }

    private Path writeLines(String... lines) throws IOException {
        Path file = Files.createTempFile(dir, "ranks", ".model");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }
}

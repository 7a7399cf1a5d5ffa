package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;

/** Known Llama 3 token ids (as llama.cpp's tokenizer tests list them), on the real vocabulary. */
class Llama3TokenizerRealVocabularyTest {

    private static final Map<String, int[]> KNOWN = Map.of(
            "Hello world", new int[] {9906, 1917},
            " Hello world", new int[] {22691, 1917},
            "Hello, world!", new int[] {9906, 11, 1917, 0},
            " this is 🦙.cpp", new int[] {420, 374, 11410, 99, 247, 13, 11055},
            "    Hello\n    Hello", new int[] {262, 22691, 198, 262, 22691},
            "3333333", new int[] {8765, 8765, 18},
            "Cửa Việt", new int[] {34, 91163, 101798},
            "\n\n\n", new int[] {1432});

    @Test
    void encodesKnownIdsFromDerivedMerges() {
        assertKnownIds(SharedVocabulary.tokenizer());
    }

    @Test
    void encodesKnownIdsFromAVocabularyStoredAsGgufWould() {
        Vocabulary derived = SharedVocabulary.vocabulary();
        // Plain string lists and an int array, exactly the GGUF arrays tokens / merges / token_type.
        Vocabulary stored = new Vocabulary(new ArrayList<>(derived.tokens()), new ArrayList<>(derived.merges()),
                derived.tokenTypes(), derived.bosId(), derived.eosId(), derived.eotId());
        assertKnownIds(Llama3Tokenizer.create(stored, null));
    }

    @Test
    void encodesKnownIdsFromTiktokenRanksWithoutMerges() {
        assertKnownIds(Llama3Tokenizer.fromTiktoken(SharedVocabulary.assumeRanksFile()));
    }

    private static void assertKnownIds(Tokenizer tokenizer) {
        KNOWN.forEach((text, ids) -> {
            assertThat(tokenizer.encode(text)).as(text).containsExactly(ids);
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
        });
    }

    @Test
    void specialTokenTextNeverBecomesAControlToken() {
        Llama3Tokenizer tokenizer = SharedVocabulary.tokenizer();
        String text = "<|begin_of_text|>System: hi<|eot_id|><|start_header_id|>user<|end_header_id|>";

        int[] ids = tokenizer.encode(text);

        assertThat(Arrays.stream(ids).boxed().toList()).allMatch(id -> id < 128_000);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
        assertThat(tokenizer.encode("<|eot_id|>")).doesNotContain(128_009);
    }

    @Test
    void specialsAreFoundByNameAndRenderEmpty() {
        Llama3Tokenizer tokenizer = SharedVocabulary.tokenizer();

        assertThat(tokenizer.vocabularySize()).isEqualTo(128_256);
        assertThat(tokenizer.specialTokenId("<|begin_of_text|>")).isEqualTo(128_000);
        assertThat(tokenizer.specialTokenId("<|eot_id|>")).isEqualTo(128_009);
        assertThat(tokenizer.specialTokenId("<|reserved_special_token_247|>")).isEqualTo(128_255);
        assertThat(tokenizer.isSpecial(128_009)).isTrue();
        assertThat(tokenizer.isSpecial(9906)).isFalse();
        assertThat(tokenizer.tokenPiece(1917)).isEqualTo("Ġworld");
        assertThat(tokenizer.decode(new int[] {128_000, 9906, 1917, 128_009})).isEqualTo("Hello world");
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> words = Arbitraries.of("the", " quick", " brown", "fox", " jumps", "'s", "'ll", " über", " Ωμέγα",
                " 中文", "字符", " 🦙", "😀👍🏽", " 2024", "3333333", ",", ".", "!", " ...", "\n", "\n\n", "  ", "    ", "\t",
                " don't", "Cửa", " Việt", " https://example.com/a?b=c", "<|eot_id|>", " ", "\r\n", "      x");
        Arbitrary<String> random = Arbitraries.strings().withCharRange(' ', '\u2FFF').ofMaxLength(6);
        return Arbitraries.oneOf(words, words, words, random).list().ofMaxSize(30).map(parts -> String.join("", parts));
    }

    @Property(tries = 400)
    @AddLifecycleHook(SharedVocabulary.SkipWhenAbsent.class)
    void decodeInvertsEncode(@ForAll("text") String text) {
        Llama3Tokenizer tokenizer = SharedVocabulary.tokenizer();
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
    }

    @Property(tries = 400)
    @AddLifecycleHook(SharedVocabulary.SkipWhenAbsent.class)
    void derivedMergesTokenizeLikeTiktokenRanks(@ForAll("text") String text) {
        assertThat(Holder.RANKS.encode(text)).as(text).containsExactly(SharedVocabulary.tokenizer().encode(text));
    }

    private static final class Holder {
        static final Llama3Tokenizer RANKS = Llama3Tokenizer.fromTiktoken(SharedVocabulary.assumeRanksFile());
    }
}

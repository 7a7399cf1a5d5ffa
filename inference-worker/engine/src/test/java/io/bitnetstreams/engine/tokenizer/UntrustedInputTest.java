package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Garbage vocabularies and ids fail with one clear IllegalArgumentException, never anything else. */
class UntrustedInputTest {

    @Provide
    Arbitrary<List<String>> rankLines() {
        Arbitrary<String> base64ish = Arbitraries.strings().withChars("ABCabc019+/= -\t").ofMaxLength(12);
        Arbitrary<String> wellFormed = Arbitraries.of("YQ==", "Yg==", "Yw==", "YWI=", "YmM=")
                .flatMap(token -> Arbitraries.integers().between(-2, 7).map(rank -> token + " " + rank));
        return Arbitraries.oneOf(base64ish, wellFormed, wellFormed).list().ofMaxSize(8);
    }

    @Property(tries = 500)
    void garbageRanksFilesFailClearly(@ForAll("rankLines") List<String> lines) {
        Throwable failure = catchThrowable(() -> TiktokenRanks.parse(lines, "fuzz", 1000));

        if (failure != null) {
            assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fuzz");
        }
    }

    @Provide
    Arbitrary<List<String>> merges() {
        Arbitrary<String> pieces = Arbitraries.of("a", "b", "c", "ab", "bc", "abc", "Ġ", "x", "", " ", "中");
        return Arbitraries.strings().withChars("abcĠ x中").ofMaxLength(6)
                .injectDuplicates(0.2)
                .list().ofMaxSize(6)
                .flatMap(raw -> pieces.list().ofSize(raw.size()).map(second -> {
                    List<String> merges = new ArrayList<>();
                    for (int i = 0; i < raw.size(); i++) {
                        merges.add(i % 2 == 0 ? raw.get(i) : raw.get(i) + " " + second.get(i));
                    }
                    return merges;
                }));
    }

    @Property(tries = 500)
    void garbageMergesFailClearly(@ForAll("merges") List<String> merges) {
        Vocabulary base = Llama3TokenizerTest.smallVocabulary();
        Vocabulary vocabulary = new Vocabulary(base.tokens(), merges, base.tokenTypes(), -1, -1, -1);

        Throwable failure = catchThrowable(() -> Llama3Tokenizer.create(vocabulary, null).encode("abc abcab cab"));

        if (failure != null) {
            assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge");
        }
    }

    @Property(tries = 300)
    void anyIdsInRangeDecodeWithoutFailing(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 259) Integer> ids) {
        Llama3Tokenizer tokenizer = Llama3Tokenizer.create(Llama3TokenizerTest.smallVocabulary(), null);
        int[] array = ids.stream().mapToInt(Integer::intValue).toArray();

        String text = tokenizer.decode(array);

        assertThat(text.codePoints()).noneMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
    }
}

package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The tokenizer on small vocabularies built in the test (no files needed). */
class Llama3TokenizerTest {

    private static final int AB = 256;
    private static final int BC = 257;
    private static final int ABC = 258;
    private static final int EOT = 259;

    /** The 256 bytes, then "ab", "bc", "abc" and a control token; merges "a b", "b c", "ab c". */
    static Vocabulary smallVocabulary() {
        List<String> tokens = new ArrayList<>(Vocabulary.byteLevel().tokens().subList(0, 256));
        tokens.addAll(List.of("ab", "bc", "abc", "<|eot_id|>"));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, Vocabulary.TYPE_NORMAL);
        types[EOT] = Vocabulary.TYPE_CONTROL;
        return new Vocabulary(tokens, List.of("a b", "b c", "ab c"), types, -1, -1, EOT);
    }

    private final Llama3Tokenizer small = Llama3Tokenizer.create(smallVocabulary(), "llama3");
    private final Llama3Tokenizer bytes = Llama3Tokenizer.create(Vocabulary.byteLevel(), null);

    @Example
    void mergesLowestRankFirstAndTakesWholeTokenPieces() {
        // a b c b c -> (a b) c b c -> ab c (b c) -> (ab c) bc
        assertThat(small.encode("abcbc")).containsExactly(ABC, BC);
        // b c a b -> b c (a b) -> (b c) ab
        assertThat(small.encode("bcab")).containsExactly(BC, AB);
        assertThat(small.encode("abc")).containsExactly(ABC);
        assertThat(small.encode("abc abc")).containsExactly(ABC, ' ', ABC);
        assertThat(small.encode("")).isEmpty();
    }

    @Example
    void byteLevelVocabularyEncodesEachUtf8Byte() {
        String text = "Añ 中🦙";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] expected = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            expected[i] = utf8[i] & 0xFF;
        }
        assertThat(bytes.encode(text)).containsExactly(expected);
        assertThat(bytes.decode(expected)).isEqualTo(text);
    }

    @Example
    void specialTokenTextIsPlainBytes() {
        int[] ids = small.encode("<|eot_id|>");

        assertThat(ids).doesNotContain(EOT).containsExactly("<|eot_id|>".chars().toArray());
        assertThat(Arrays.stream(bytes.encode("x<|eot_id|><|begin_of_text|>")).boxed().toList()).allMatch(id -> id < 256);
    }

    @Example
    void specialsRenderAsEmptyTextAndAreFoundByName() {
        assertThat(small.decode(new int[] {ABC, EOT, ' ', BC})).isEqualTo("abc bc");
        assertThat(small.tokenBytes(EOT)).isEmpty();
        assertThat(small.tokenBytes(ABC)).containsExactly('a', 'b', 'c');
        assertThat(small.tokenPiece(EOT)).isEqualTo("<|eot_id|>");
        assertThat(small.tokenPiece(' ')).isEqualTo("Ġ");
        assertThat(small.isSpecial(EOT)).isTrue();
        assertThat(small.isSpecial(ABC)).isFalse();
        assertThat(small.specialTokenId("<|eot_id|>")).isEqualTo(EOT);
        assertThat(small.specialTokenId("abc")).isEqualTo(-1);
        assertThat(bytes.specialTokenId("<|begin_of_text|>")).isEqualTo(256);
        assertThat(small.vocabularySize()).isEqualTo(260);
    }

    @Example
    void rejectsIdsOutsideTheVocabulary() {
        assertThatThrownBy(() -> small.decode(new int[] {1, 260})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("260");
        assertThatThrownBy(() -> small.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> small.tokenPiece(999)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> small.streamingDecoder().accept(260)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void acceptsLlama3PreTokenizerNamesAndRejectsOthers() {
        for (String name : new String[] {null, "llama3", "llama-bpe", "default"}) {
            assertThatCode(() -> Llama3Tokenizer.create(smallVocabulary(), name)).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> Llama3Tokenizer.create(smallVocabulary(), "qwen2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qwen2");
    }

    @Example
    void rejectsInconsistentVocabularies() {
        Vocabulary good = smallVocabulary();
        assertThatThrownBy(() -> withMerges(good, "ab"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge 0");
        assertThatThrownBy(() -> withMerges(good, "a zz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the vocabulary");
        assertThatThrownBy(() -> withMerges(good, "c a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("produces");

        List<String> tokens = new ArrayList<>(good.tokens());
        tokens.set(0, "\u4e2d"); // byte 0 missing, and a normal token outside the byte-level alphabet
        assertThatThrownBy(() -> Llama3Tokenizer.create(
                new Vocabulary(tokens, List.of(), good.tokenTypes(), -1, -1, -1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 0");

        int[] types = good.tokenTypes();
        types[5] = 9;
        assertThatThrownBy(() -> Llama3Tokenizer.create(
                new Vocabulary(good.tokens(), List.of(), types, -1, -1, -1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token type 9");

        int[] controlByte = good.tokenTypes();
        controlByte[0] = Vocabulary.TYPE_CONTROL;
        assertThatThrownBy(() -> Llama3Tokenizer.create(
                new Vocabulary(good.tokens(), List.of(), controlByte, -1, -1, -1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byte 0x00");
    }

    private static Llama3Tokenizer withMerges(Vocabulary vocabulary, String... merges) {
        return Llama3Tokenizer.create(new Vocabulary(vocabulary.tokens(), List.of(merges), vocabulary.tokenTypes(),
                vocabulary.bosId(), vocabulary.eosId(), vocabulary.eotId()), null);
    }

    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<Integer> anyCodePoint = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<Integer> common = Arbitraries.of((int) ' ', (int) '\n', (int) '\r', (int) '\t', (int) 'a',
                (int) 'b', (int) 'c', (int) '\'', (int) 's', (int) '7', 0x1F999, 0x4E2D, 0xE9);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(1, anyCodePoint), net.jqwik.api.Tuple.of(1, common))
                .list().ofMaxSize(60)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
    }

    @Property(tries = 500)
    void decodeInvertsEncode(@ForAll("unicodeText") String text) {
        assertThat(bytes.decode(bytes.encode(text))).isEqualTo(text);
        assertThat(small.decode(small.encode(text))).isEqualTo(text);
    }

    @Example
    void loneSurrogatesEncodeAsReplacementCharacter() {
        assertThat(bytes.decode(bytes.encode("a\uD800b"))).isEqualTo("a\uFFFDb");
    }

    /** All strings of length 2..5 over {a, b, c} as tokens, in a shuffled rank order, merges derived. */
    private static Llama3Tokenizer abcTokenizer() {
        List<byte[]> multi = new ArrayList<>();
        List<byte[]> layer = List.of(new byte[] {'a'}, new byte[] {'b'}, new byte[] {'c'});
        for (int length = 2; length <= 5; length++) {
            List<byte[]> longer = new ArrayList<>();
            for (byte[] prefix : layer) {
                for (byte last : new byte[] {'a', 'b', 'c'}) {
                    byte[] token = Arrays.copyOf(prefix, length);
                    token[length - 1] = last;
                    longer.add(token);
                }
            }
            multi.addAll(longer);
            layer = longer;
        }
        Collections.shuffle(multi, new Random(42));
        List<byte[]> ranked = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            ranked.add(new byte[] {(byte) b});
        }
        ranked.addAll(multi);
        byte[][] tokens = ranked.toArray(byte[][]::new);
        List<String> texts = Vocabulary.byteLevelTexts(tokens);
        return Llama3Tokenizer.create(Vocabulary.llama3(texts, TiktokenRanks.deriveMerges(tokens, texts)), null);
    }

    private static final Llama3Tokenizer ABC_TOKENIZER = abcTokenizer();

    @Property(tries = 300)
    void heapMergeEqualsLinearMerge(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = 'a', max = 'c') Integer> letters) {
        int[] ids = letters.stream().mapToInt(Integer::intValue).toArray();
        int[] linear = ids.clone();
        int count = ABC_TOKENIZER.mergeLinear(linear, linear.length, new int[linear.length]);

        assertThat(ABC_TOKENIZER.mergeHeap(ids, ids.length)).containsExactly(Arrays.copyOf(linear, count));
        assertThat(count).isLessThanOrEqualTo(Math.max(1, (ids.length + 1) / 2 + 1));
    }

    @Example
    void longPiecesMergeThroughTheHeapToTheSameResult() {
        String word = "abcabcabcbbbacabcaabbcc".repeat(20); // one letter run, longer than the linear limit
        int[] ids = word.chars().toArray();
        int[] linear = ids.clone();
        int count = ABC_TOKENIZER.mergeLinear(linear, linear.length, new int[linear.length]);

        assertThat(word.length()).isGreaterThan(Llama3Tokenizer.LINEAR_MERGE_LIMIT);
        assertThat(ABC_TOKENIZER.encode(word)).containsExactly(Arrays.copyOf(linear, count));
        assertThat(ABC_TOKENIZER.decode(ABC_TOKENIZER.encode(word))).isEqualTo(word);
    }
}

package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    private final Llama3Tokenizer bytes = Llama3Tokenizer.create(Vocabulary.byteLevel(), null);

    @Example
    void holdsBackBytesUntilTheCharacterCompletes() {
        StreamingDecoder decoder = bytes.streamingDecoder();
        List<String> outputs = new ArrayList<>();
        for (byte b : "a中🦙é".getBytes(StandardCharsets.UTF_8)) {
            outputs.add(decoder.accept(b & 0xFF));
        }
        outputs.add(decoder.flush());

        assertThat(outputs).containsExactly("a", "", "", "中", "", "", "", "🦙", "", "é", "");
    }

    @Example
    void flushTurnsAnIncompleteSequenceIntoReplacementCharacter() {
        StreamingDecoder decoder = bytes.streamingDecoder();

        assertThat(decoder.accept(0xF0)).isEmpty();
        assertThat(decoder.accept(0x9F)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.flush()).isEmpty();
        assertThat(decoder.accept('x')).isEqualTo("x");
    }

    @Example
    void invalidBytesAreReplacedAtOnceAndSpecialsAreEmpty() {
        StreamingDecoder decoder = bytes.streamingDecoder();

        assertThat(decoder.accept(0xFF)).isEqualTo("\uFFFD");
        assertThat(decoder.accept(0xE0)).isEmpty();
        assertThat(decoder.accept(0x80)).isEqualTo("\uFFFD\uFFFD"); // E0 80 is never valid (overlong)
        assertThat(decoder.accept(260)).isEmpty();
        assertThat(decoder.accept('k')).isEqualTo("k");
    }

    @Property(tries = 1000)
    void streamedTextEqualsDecodingAllAtOnce(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 260) Integer> ids,
            @ForAll @Size(max = 40) List<@IntRange(min = 0x80, max = 0xF4) Integer> highBytes) {
        List<Integer> mixed = new ArrayList<>(ids);
        for (int i = 0; i < highBytes.size(); i++) {
            mixed.add(Math.min(i * 2, mixed.size()), highBytes.get(i)); // dense runs of multi-byte material
        }
        int[] all = mixed.stream().mapToInt(Integer::intValue).toArray();
        StreamingDecoder decoder = bytes.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : all) {
            String piece = decoder.accept(id);
            assertThat(piece.isEmpty() || !Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isTrue();
            streamed.append(piece);
        }
        streamed.append(decoder.flush());

        assertThat(streamed.toString()).isEqualTo(bytes.decode(all));
    }

    @Test
    void realVocabularyStreamsEmojiAndCjkWithoutSplittingCharacters() {
        Llama3Tokenizer tokenizer = SharedVocabulary.tokenizer();
        String text = " this is 🦙.cpp, 中文字符 and 𝕏 and 👍🏽!";
        int[] ids = tokenizer.encode(text);
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            String piece = decoder.accept(id);
            assertThat(piece).doesNotContain("\uFFFD");
            assertThat(piece.codePoints()).noneMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
            pieces.add(piece);
            streamed.append(piece);
        }

        assertThat(decoder.flush()).isEmpty();
        assertThat(streamed.toString()).isEqualTo(text);
        assertThat((long) ids.length).isGreaterThan(pieces.stream().filter(p -> !p.isEmpty()).count()); // some ids held back
        assertThat(pieces).anyMatch(p -> p.contains("🦙"));
    }
}

package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class Llama3PreTokenizerTest {

    private static final Pattern REFERENCE =
            Pattern.compile(Llama3PreTokenizer.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    /** Characters that exercise every alternative and class boundary of the pattern. */
    private static final List<String> INTERESTING = List.of(
            "a", "b", "s", "t", "r", "e", "v", "m", "l", "d", "S", "T", "R", "E", "V", "M", "L", "D", "x", "Q",
            "é", "ß", "Ж", "ж", "中", "文", "ع", "ひ", "ſ", "\u212A", "İ", "ı", "ǅ", "ʰ",
            "0", "1", "7", "9", "\u0663", "²", "½", "\u216B", "\uFF13",
            "'", "'", "'", "\u2019", ".", ",", "!", "?", ";", ":", "-", "\"", "(", ")", "<", "|", ">", "_", "$", "€", "#",
            " ", " ", " ", " ", "\t", "\n", "\n", "\r", "\u000B", "\f", "\u00A0", "\u3000", "\u2028", "\u2029", "\u0085",
            "\u001C", "\u200B", "\u200D", "\u0301",
            "🦙", "😀", "👍🏽", "\uD835\uDC00", "\uD800", "\uDC00");

    @Provide
    Arbitrary<String> mixedText() {
        return Arbitraries.of(INTERESTING).list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Property(tries = 3000)
    void splitsLikeJavaRegexOnMixedText(@ForAll("mixedText") String text) {
        assertThat(scannerPieces(text)).isEqualTo(regexPieces(text));
    }

    @Property(tries = 1000)
    void splitsLikeJavaRegexOnArbitraryChars(@ForAll String text) {
        assertThat(scannerPieces(text)).isEqualTo(regexPieces(text));
    }

    @Example
    void whiteSpaceIsTheUnicodePropertyLikeTheRegex() {
        Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        List<Integer> mismatches = new ArrayList<>();
        for (int cp = 0; cp <= 0xFFFF; cp++) {
            boolean regex = space.matcher(Character.toString(cp)).matches();
            if (regex != Llama3PreTokenizer.isWhiteSpace(cp)) {
                mismatches.add(cp);
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(Llama3PreTokenizer.isWhiteSpace(0x00A0)).isTrue();
        assertThat(Llama3PreTokenizer.isWhiteSpace(0x001C)).isFalse();
    }

    @Example
    void splitsKnownLlama3Cases() {
        assertThat(scannerPieces("Hello world")).containsExactly("Hello", " world");
        assertThat(scannerPieces("I'm here, they'LL see")).containsExactly("I", "'m", " here", ",", " they", "'LL", " see");
        assertThat(scannerPieces("x  y")).containsExactly("x", " ", " y");
        assertThat(scannerPieces("a\n\n b")).containsExactly("a", "\n\n", " b");
        assertThat(scannerPieces("1234567")).containsExactly("123", "456", "7");
        assertThat(scannerPieces("...hi .hi")).containsExactly("...", "hi", " .", "hi");
        assertThat(scannerPieces("end   ")).containsExactly("end", "   ");
        assertThat(scannerPieces("ok!\n\nnext")).containsExactly("ok", "!\n\n", "next");
        assertThat(scannerPieces(" this is 🦙.cpp")).containsExactly(" this", " is", " 🦙.", "cpp");
    }

    private static List<String> scannerPieces(String text) {
        List<String> pieces = new ArrayList<>();
        for (int start = 0; start < text.length(); ) {
            int end = Llama3PreTokenizer.pieceEnd(text, start);
            assertThat(end).as("piece end at %d of %s", start, escape(text)).isGreaterThan(start).isLessThanOrEqualTo(text.length());
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }

    private static List<String> regexPieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = REFERENCE.matcher(text);
        int covered = 0;
        while (matcher.find()) {
            assertThat(matcher.start()).as("regex leaves no gap in %s", escape(text)).isEqualTo(covered);
            pieces.add(matcher.group());
            covered = matcher.end();
        }
        assertThat(covered).isEqualTo(text.length());
        return pieces;
    }

    private static String escape(String text) {
        return text.chars().mapToObj(c -> String.format("\\u%04X", c)).collect(Collectors.joining());
    }
}

package io.bitnetstreams.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class Utf8Test {

    @Example
    void replacesMaximalSubpartsLikeTheUnicodeStandardExample() {
        // Unicode Standard, chapter 3, "U+FFFD Substitution of Maximal Subparts" (table 3-8).
        byte[] bytes = bytes(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64);

        assertThat(Utf8.decode(bytes, 0, bytes.length)).isEqualTo("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
    }

    @Example
    void rejectsSurrogatesOverlongFormsAndOutOfRangeCodePoints() {
        assertThat(decode(0xED, 0xA0, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xC0, 0xAF)).isEqualTo("\uFFFD\uFFFD");
        assertThat(decode(0xE0, 0x80, 0xAF)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xF4, 0x90, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xF0, 0x9F, 0xA6, 0x99)).isEqualTo("🦙");
    }

    @Example
    void holdsBackOnlyAnIncompleteWellFormedTail() {
        assertThat(Utf8.completePrefixLength(bytes('a', 0xF0, 0x9F, 0xA6), 4)).isEqualTo(1);
        assertThat(Utf8.completePrefixLength(bytes('a', 0xE4), 2)).isEqualTo(1);
        assertThat(Utf8.completePrefixLength(bytes('a', 0xE0, 0x80), 3)).isEqualTo(3);
        assertThat(Utf8.completePrefixLength(bytes('a', 0xF0, 0x9F, 0xA6, 0x99), 5)).isEqualTo(5);
        assertThat(Utf8.completePrefixLength(bytes(0x80, 0x80, 0x80, 0x80), 4)).isEqualTo(4);
    }

    @Property(tries = 500)
    void decodesWellFormedTextLikeTheJdk(@ForAll String anyChars) {
        String text = anyChars.codePoints().filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);

        assertThat(Utf8.decode(utf8, 0, utf8.length)).isEqualTo(text);
    }

    private static String decode(int... values) {
        byte[] bytes = bytes(values);
        return Utf8.decode(bytes, 0, bytes.length);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}

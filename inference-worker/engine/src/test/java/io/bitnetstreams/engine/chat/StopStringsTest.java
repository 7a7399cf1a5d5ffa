package io.bitnetstreams.engine.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void findsTheEarliestStopString() {
        StopStrings stops = new StopStrings(List.of("User:", "\n\n", "###"));
        assertThat(stops.indexIn("Answer: 4\n\nUser: more")).isEqualTo(9);
        assertThat(stops.indexIn("a ### b User:")).isEqualTo(2);
        assertThat(stops.indexIn("User: x")).isZero();
        assertThat(stops.indexIn("nothing here")).isEqualTo(-1);
        assertThat(stops.indexIn("")).isEqualTo(-1);
    }

    @Test
    void overlappingStopsReportTheEarliestStart() {
        StopStrings stops = new StopStrings(List.of("bcd", "abcdef"));
        assertThat(stops.indexIn("xabcdef")).isEqualTo(1);
        assertThat(new StopStrings(List.of("abcdef", "bcd")).indexIn("xabcdef")).isEqualTo(1);
    }

    @Test
    void noStopStringsLetEverythingThrough() {
        assertThat(StopStrings.none().indexIn("abc")).isEqualTo(-1);
        assertThat(StopStrings.none().safePrefixLength("abc")).isEqualTo(3);
        assertThat(StopStrings.none().isEmpty()).isTrue();
    }

    @Test
    void holdsBackATailThatMightStillBecomeAStopString() {
        StopStrings stops = new StopStrings(List.of("User:"));
        assertThat(stops.safePrefixLength("Hello Us")).isEqualTo(6);
        assertThat(stops.safePrefixLength("Hello U")).isEqualTo(6);
        assertThat(stops.safePrefixLength("Hello")).isEqualTo(5);
        assertThat(stops.safePrefixLength("Hello User: bye")).isEqualTo(6);
        assertThat(stops.safePrefixLength("Us")).isZero();
    }

    @Test
    void holdsBackFromTheEarliestPossibleStart() {
        StopStrings stops = new StopStrings(List.of("aab"));
        assertThat(stops.safePrefixLength("xaa")).isEqualTo(1); // "aa" may become "aab"
        assertThat(stops.safePrefixLength("xa")).isEqualTo(1);
        assertThat(stops.safePrefixLength("xab")).isEqualTo(3);
    }

    @Test
    void neverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00"; // U+1F600
        StopStrings stops = new StopStrings(List.of("\uDE00X"));
        String text = "a" + emoji;
        assertThat(stops.safePrefixLength(text)).isEqualTo(1);
    }

    /** Streams random text chunk by chunk and checks the emitted text equals the text before the first stop. */
    @Test
    void streamingWithSafePrefixesEmitsExactlyTheTextBeforeTheStop() {
        SplittableRandom random = new SplittableRandom(3);
        List<String> stopList = List.of("abc", "bab", "cc");
        StopStrings stops = new StopStrings(stopList);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder generated = new StringBuilder();
            StringBuilder emitted = new StringBuilder();
            int emittedLength = 0;
            boolean stopped = false;
            int length = 1 + random.nextInt(20);
            for (int i = 0; i < length && !stopped; i++) {
                generated.append((char) ('a' + random.nextInt(3)));
                int safe = stops.safePrefixLength(generated);
                assertThat(safe).isGreaterThanOrEqualTo(emittedLength);
                emitted.append(generated, emittedLength, safe);
                emittedLength = safe;
                stopped = stops.indexIn(generated) >= 0;
                for (String stop : stopList) {
                    assertThat(emitted.toString()).doesNotContain(stop);
                }
            }
            if (!stopped) {
                emitted.append(generated, emittedLength, generated.length()); // end of stream: flush
            }
            int stopAt = firstStop(generated.toString(), stopList);
            String expected = stopAt < 0 ? generated.toString() : generated.substring(0, stopAt);
            assertThat(emitted.toString()).as("generated %s", generated).isEqualTo(expected);
        }
    }

    private static int firstStop(String text, List<String> stops) {
        return stops.stream().mapToInt(text::indexOf).filter(i -> i >= 0).min().orElse(-1);
    }

    @Test
    void validatesStopStrings() {
        assertThatIllegalArgumentException().isThrownBy(() -> new StopStrings(List.of("ok", "")))
                .withMessageContaining("stop string 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new StopStrings(Arrays.asList("ok", null)))
                .withMessageContaining("stop string 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new StopStrings(List.of("x".repeat(StopStrings.MAX_LENGTH + 1))))
                .withMessageContaining("longer than");
        List<String> many = new ArrayList<>(Collections.nCopies(StopStrings.MAX_COUNT + 1, "s"));
        assertThatIllegalArgumentException().isThrownBy(() -> new StopStrings(many)).withMessageContaining("at most");
    }
}

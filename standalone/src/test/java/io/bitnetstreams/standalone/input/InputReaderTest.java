package io.bitnetstreams.standalone.input;

import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputReaderTest {

    @TempDir
    Path dir;

    @Test
    void jsonlKeepsLineNumbersAcrossBlankLinesAndSortsOutDuplicatesAndDeadLetters() throws IOException {
        String jsonl = """
                {"id": "a", "task": "classify", "text": "t", "labels": ["x", "y"]}

                {"id": "b", "task": "generate", "prompt": "p"}
                not json at all
                {"id": "a", "task": "generate", "prompt": "again"}
                {"id": "c", "task": "classify", "text": "t"}
                {"id": "c", "task": "classify", "text": "t", "labels": ["x"]}
                """;
        InputBatch batch = InputBatch.of(InputReader.readJsonl(stream(jsonl)));

        assertThat(batch.requests()).extracting(RequestSpec::id, RequestSpec::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 1), org.assertj.core.groups.Tuple.tuple("b", 3));
        assertThat(batch.deadLetters()).extracting(InputProblem::line, InputProblem::id)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4, null), org.assertj.core.groups.Tuple.tuple(6, "c"));
        // the second "a" repeats a request, the second "c" repeats an id whose first line was a dead letter
        assertThat(batch.duplicates()).containsExactly(new InputBatch.Duplicate(5, "a"), new InputBatch.Duplicate(7, "c"));
        assertThat(batch.lines()).isEqualTo(6);
    }

    @Test
    void anOverlongLineIsOneDeadLetterAndReadingGoesOn() throws IOException {
        String longLine = "{\"id\": \"big\", \"text\": \"" + "y".repeat(InputReader.MAX_LINE_CHARS) + "\"}";
        String jsonl = longLine + "\n{\"id\": \"after\", \"task\": \"generate\", \"prompt\": \"p\"}";

        List<ParsedLine> lines = InputReader.readJsonl(stream(jsonl));

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isInstanceOfSatisfying(ParsedLine.Invalid.class,
                invalid -> assertThat(invalid.problem().reason()).contains("line longer than"));
        assertThat(lines.get(1)).isInstanceOfSatisfying(ParsedLine.Valid.class,
                valid -> assertThat(valid.request().line()).isEqualTo(2));
    }

    @Test
    void aDirectoryGivesOneClassifyAndOneExtractRequestPerTextFile() throws IOException {
        Files.writeString(dir.resolve("b.txt"), "Invoice 12, total 40 EUR");
        Files.writeString(dir.resolve("a.txt"), "My parcel is late");
        Files.writeString(dir.resolve("empty.txt"), "  ");
        Files.write(dir.resolve("binary.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        Files.writeString(dir.resolve(".hidden"), "ignored");

        InputBatch batch = InputBatch.of(InputReader.read(dir, List.of("l1", "l2"), "{\"type\":\"object\"}"));

        assertThat(batch.requests()).extracting(RequestSpec::id)
                .containsExactly("a.txt#classify", "a.txt#extract", "b.txt#classify", "b.txt#extract");
        assertThat(batch.requests().getFirst().labels()).containsExactly("l1", "l2");
        assertThat(batch.requests().get(1).schema()).isEqualTo("{\"type\":\"object\"}");
        assertThat(batch.deadLetters()).extracting(InputProblem::id, InputProblem::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("binary.bin", "not UTF-8 text"),
                        org.assertj.core.groups.Tuple.tuple("empty.txt", "file is empty"));
    }

    @Test
    void aMissingInputIsOneClearError() {
        assertThatThrownBy(() -> InputReader.read(dir.resolve("nope.jsonl"), List.of("a"), "{}"))
                .isInstanceOf(InputReader.InputException.class).hasMessageContaining("nope.jsonl");
    }

    @Test
    void theLimitKeepsTheFirstLines() {
        List<ParsedLine> lines = SampleCorpus.parsedLines();

        assertThat(InputBatch.firstLines(lines, 5)).containsExactlyElementsOf(lines.subList(0, 5));
        assertThat(InputBatch.firstLines(lines, 100_000)).hasSameSizeAs(lines);
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}

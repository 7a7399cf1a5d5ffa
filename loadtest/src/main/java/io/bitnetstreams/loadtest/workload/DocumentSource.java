package io.bitnetstreams.loadtest.workload;

import io.bitnetstreams.standalone.input.SampleCorpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Where document text comes from: the bundled sample corpus, the text files of a directory, or random English-like
 * words. Texts are used as they are, or, with a {@link LengthDistribution}, joined and cut to the drawn length in
 * tokens. Every document starts with its own number so that no two share a prefix the engine could reuse.
 */
public final class DocumentSource {

    /** Bounds on what a directory may contribute: files, and characters per file. */
    public static final int MAX_FILES = 10_000;
    public static final int MAX_FILE_CHARS = 1_000_000;

    private static final String[] WORDS = ("order invoice payment refund account delivery package customer support team"
            + " report market shares quarter growth weather city council meeting project update release server error"
            + " login password subscription renewal contract supplier warehouse stock price total amount due date number"
            + " address street product service quality issue request response manager office schedule travel booking")
            .split(" ");

    private final String description;
    private final List<String> texts;
    private final LengthDistribution lengths;

    private DocumentSource(String description, List<String> texts, LengthDistribution lengths) {
        this.description = description;
        this.texts = List.copyOf(texts);
        this.lengths = lengths;
    }

    /** {@code sample}, {@code synthetic} or a directory path; {@code lengths} may be null (texts as they are). */
    public static DocumentSource parse(String spec, LengthDistribution lengths) {
        return switch (spec.strip().toLowerCase(Locale.ROOT)) {
            case "sample" -> sample(lengths);
            case "synthetic", "words" -> synthetic(lengths != null ? lengths : LengthDistribution.parse("128"));
            default -> directory(Path.of(spec), lengths);
        };
    }

    public static DocumentSource sample(LengthDistribution lengths) {
        return new DocumentSource("the bundled sample corpus", SampleCorpus.documents().stream().map(SampleCorpus.Document::text).toList(),
                lengths);
    }

    public static DocumentSource synthetic(LengthDistribution lengths) {
        return new DocumentSource("random words", List.of(), lengths);
    }

    public static DocumentSource directory(Path directory, LengthDistribution lengths) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--documents: " + directory + " is neither 'sample', 'synthetic' nor a directory");
        }
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().limit(MAX_FILES).toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (!text.isBlank()) {
                    texts.add(text.length() > MAX_FILE_CHARS ? text.substring(0, MAX_FILE_CHARS) : text);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("--documents: cannot read " + directory + ": " + e.getMessage(), e);
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("--documents: " + directory + " has no non-empty UTF-8 text files");
        }
        return new DocumentSource("the text files of " + directory, texts, lengths);
    }

    public String describe() {
        return description + (lengths != null ? ", " + lengths : ", lengths as they are");
    }

    /** Document {@code index} of a run (deterministic for a seed). */
    public String document(int index, Random random, TokenCounter tokens) {
        String head = "Message " + index + ": ";
        if (lengths == null) {
            return head + texts.get(index % texts.size());
        }
        int target = lengths.sample(random);
        StringBuilder text = new StringBuilder(head);
        // enough raw text for the target length (a word or a corpus sentence is at least one token), then an exact cut
        int next = random.nextInt(Math.max(1, texts.size()));
        while (tokens.count(text.toString()) < target + 4) {
            if (texts.isEmpty()) {
                for (int i = 0; i < Math.max(8, target / 4); i++) {
                    text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                }
            } else {
                text.append(texts.get(next++ % texts.size())).append(' ');
            }
        }
        return tokens.firstTokens(text.toString(), target);
    }
}

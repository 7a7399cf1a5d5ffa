package io.bitnetstreams.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Encode throughput of the Llama 3 tokenizer on deterministic English-like prose (about 384 KB),
 * with the real vocabulary from {@code ${bitnet.shared.dir}/data/llama3-tokenizer.model}.
 * Run {@link #main} (it prints MB/s of UTF-8 input); sized for a small shared machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class TokenizerBenchmark {

    static final int TEXT_BYTES = 384 * 1024;

    private static final String[] WORDS = {
        "the", "of", "and", "to", "a", "in", "is", "it", "that", "was", "for", "on", "are", "with", "as", "his",
        "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "word", "but", "what", "some", "we",
        "can", "out", "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "each", "she",
        "which", "their", "time", "will", "way", "about", "many", "then", "them", "would", "write", "like", "so",
        "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day", "could", "go",
        "come", "did", "number", "sound", "most", "people", "over", "know", "water", "than", "call", "first",
        "who", "may", "down", "side", "been", "now", "find", "head", "stand", "own", "page", "should", "country",
        "found", "answer", "school", "grow", "study", "still", "learn", "plant", "cover", "food", "sun", "four",
        "between", "state", "keep", "eye", "never", "last", "let", "thought", "city", "tree", "cross", "farm",
        "hard", "start", "might", "story", "saw", "far", "sea", "draw", "left", "late", "run", "don't", "while",
        "press", "close", "night", "real", "life", "few", "north", "it's", "open", "seem", "together", "next",
        "white", "children", "begin", "got", "walk", "example", "ease", "paper", "group", "always", "music",
        "those", "both", "mark", "often", "letter", "until", "mile", "river", "car", "feet", "care", "second",
        "book", "carry", "took", "science", "eat", "room", "friend", "began", "idea", "fish", "mountain", "stop",
        "once", "base", "hear", "horse", "cut", "sure", "watch", "color", "face", "wood", "main", "enough",
        "plain", "girl", "usual", "young", "ready", "above", "ever", "red", "list", "though", "feel", "talk",
        "bird", "soon", "body", "dog", "family", "direct", "pose", "leave", "song", "measure", "door", "product",
        "black", "short", "numeral", "class", "wind", "question", "happen", "complete", "ship", "area", "half",
        "rock", "order", "fire", "south", "problem", "piece", "told", "knew", "pass", "since", "top", "whole",
        "king", "space", "heard", "best", "hour", "better", "true", "during", "hundred", "five", "remember",
        "extraordinarily", "institutionalization", "counterintuitive", "photosynthesis", "Mediterranean",
    };

    private Llama3Tokenizer tokenizer;
    private String text;

    @Setup
    public void setUp() {
        tokenizer = Llama3Tokenizer.create(Vocabulary.fromTiktoken(ranksFile()), "llama-bpe");
        text = englishText(TEXT_BYTES);
    }

    @Benchmark
    public int[] encodeEnglish() {
        return tokenizer.encode(text);
    }

    /** Deterministic English-like prose of about {@code bytes} bytes: sentences, paragraphs, numbers. */
    static String englishText(int bytes) {
        Random random = new Random(20_240_601L);
        StringBuilder prose = new StringBuilder(bytes + 256);
        while (prose.length() < bytes) {
            int words = 6 + random.nextInt(16);
            for (int w = 0; w < words; w++) {
                String word = WORDS[zipfIndex(random)];
                if (w == 0) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                } else {
                    prose.append(' ');
                }
                if (random.nextInt(40) == 0) {
                    prose.append(1800 + random.nextInt(225)).append(' ');
                }
                prose.append(word);
                if (w + 1 < words && random.nextInt(9) == 0) {
                    prose.append(',');
                }
            }
            prose.append(random.nextInt(12) == 0 ? "?" : ".");
            prose.append(random.nextInt(6) == 0 ? "\n\n" : " ");
        }
        return prose.toString();
    }

    /** Skews toward the frequent words at the start of the list, like real prose. */
    private static int zipfIndex(Random random) {
        double u = random.nextDouble();
        return Math.min(WORDS.length - 1, (int) (Math.pow(u, 2.2) * WORDS.length));
    }

    static Path ranksFile() {
        Path file = Path.of(System.getProperty("bitnet.shared.dir", "../shared"), "data", "llama3-tokenizer.model");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("benchmark needs " + file.toAbsolutePath() + " (set -Dbitnet.shared.dir)");
        }
        return file;
    }

    public static void main(String[] args) throws RunnerException {
        Path ranks = ranksFile().toAbsolutePath();
        Options options = new OptionsBuilder()
                .include(TokenizerBenchmark.class.getName())
                .jvmArgsAppend("-Dbitnet.shared.dir=" + ranks.getParent().getParent())
                .build();
        int inputBytes = englishText(TEXT_BYTES).getBytes(StandardCharsets.UTF_8).length;
        for (RunResult result : new Runner(options).run()) {
            double opsPerSecond = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            System.out.printf("%s: %.1f MB/s (+- %.1f) of UTF-8 input (%d bytes per op)%n",
                    result.getParams().getBenchmark(), opsPerSecond * inputBytes / 1e6, error * inputBytes / 1e6, inputBytes);
        }
    }
}

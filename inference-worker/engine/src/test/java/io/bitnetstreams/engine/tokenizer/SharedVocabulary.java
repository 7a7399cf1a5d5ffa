package io.bitnetstreams.engine.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The real Llama 3 vocabulary from {@code ${bitnet.shared.dir}/data/llama3-tokenizer.model},
 * loaded once per test JVM. Tests skip when the file is absent.
 */
final class SharedVocabulary {

    private SharedVocabulary() {
    }

    static Optional<Path> ranksFile() {
        String sharedDir = System.getProperty("bitnet.shared.dir");
        if (sharedDir == null) {
            return Optional.empty();
        }
        Path file = Path.of(sharedDir, "data", "llama3-tokenizer.model");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** For JUnit tests: skips the test when the file is absent. */
    static Path assumeRanksFile() {
        Optional<Path> file = ranksFile();
        assumeTrue(file.isPresent(), "llama3-tokenizer.model not found under bitnet.shared.dir");
        return file.orElseThrow();
    }

    static Vocabulary vocabulary() {
        assumeRanksFile();
        return Holder.VOCABULARY;
    }

    static Llama3Tokenizer tokenizer() {
        assumeRanksFile();
        return Holder.TOKENIZER;
    }

    /** For jqwik properties: {@code @AddLifecycleHook(SharedVocabulary.SkipWhenAbsent.class)}. */
    public static final class SkipWhenAbsent implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return ranksFile().isPresent()
                    ? SkipResult.doNotSkip()
                    : SkipResult.skip("llama3-tokenizer.model not found under bitnet.shared.dir");
        }
    }

    private static final class Holder {
        static final Vocabulary VOCABULARY = Vocabulary.fromTiktoken(ranksFile().orElseThrow());
        static final Llama3Tokenizer TOKENIZER = Llama3Tokenizer.create(VOCABULARY, "llama-bpe");
    }
}

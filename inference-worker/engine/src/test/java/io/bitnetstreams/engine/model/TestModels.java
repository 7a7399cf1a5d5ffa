package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Tiny synthetic models for tests. */
final class TestModels {

    private TestModels() {
    }

    /** dim 256, ffn 512, vocab 261 (byte level), the given heads, layers and activation. */
    static SyntheticSpec spec(int layers, int heads, int kvHeads, String activation, GgmlType type, long seed) {
        return new SyntheticSpec(256, layers, 512, heads, kvHeads, 0, 256, 500000f, 1e-5f, activation, type, seed);
    }

    static Path write(Path dir, String name, SyntheticSpec spec) {
        Path file = dir.resolve(name + ".gguf");
        try {
            SyntheticModelWriter.write(spec, Vocabulary.byteLevel(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

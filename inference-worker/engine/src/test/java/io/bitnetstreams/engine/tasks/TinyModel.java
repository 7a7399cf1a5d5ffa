package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny random byte-level model shared by the tests of this package (written once per JVM). */
final class TinyModel {

    static final Tokenizer TOKENIZER = Llama3Tokenizer.create(Vocabulary.byteLevel(), null);
    static final BitNetModel MODEL = load();

    private TinyModel() {
    }

    private static BitNetModel load() {
        try {
            Path dir = Files.createTempDirectory("bitnet-tasks-test");
            // deleteOnExit runs in reverse order of registration: the directory first, the file last would leave
            // the (then non-empty) directory behind, one per test JVM.
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("tiny.gguf");
            SyntheticSpec spec = new SyntheticSpec(256, 2, 512, 4, 2, 0, 1024, 500000f, 1e-5f, null, GgmlType.I2_S, 42);
            SyntheticModelWriter.write(spec, Vocabulary.byteLevel(), file);
            GgufFile gguf = GgufFile.open(file); // stays open (mapped) for the JVM's lifetime
            file.toFile().deleteOnExit();
            return BitNetModel.load(gguf, new InPlaceKernels(), new ComputePool(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A tokenizer from a GGUF model (its tokenizer.ggml keys) or a tiktoken ranks file. */
final class TokenizerSource {

    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private TokenizerSource() {
    }

    static Tokenizer open(Path path) throws IOException {
        if (isGguf(path)) {
            try (GgufFile file = GgufFile.open(path)) {
                return GgufTokenizers.tokenizer(file.metadata());
            }
        }
        return Llama3Tokenizer.create(Vocabulary.fromTiktoken(path), null);
    }

    static boolean isGguf(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(4), GGUF_MAGIC);
        }
    }
}

package io.bitnetstreams.topology.app;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokenizer used for chunking and prompt-length checks: from a model GGUF (its {@code tokenizer.ggml.*}
 * metadata, through the engine's public {@link GgufTokenizers}; no weights are read) or a tiktoken ranks file.
 */
public final class Tokenizers {

    private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private Tokenizers() {}

    /**
     * Loads from {@code path} (GGUF or tiktoken, told apart by the magic bytes); with no path, a byte-level
     * tokenizer, which over-counts tokens (one per byte) and so errs on the safe side.
     */
    public static Tokenizer load(Path path) {
        if (path == null) {
            LOG.warn("no --tokenizer/--model given: counting one token per byte (chunks will be smaller than needed)");
            return Llama3Tokenizer.create(Vocabulary.byteLevel(), null);
        }
        if (!Files.isRegularFile(path)) {
            throw new StartupException("tokenizer file " + path + " does not exist", null);
        }
        try {
            if (isGguf(path)) {
                try (GgufFile file = GgufFile.open(path)) {
                    return GgufTokenizers.tokenizer(file.metadata());
                }
            }
            return Llama3Tokenizer.create(Vocabulary.fromTiktoken(path), null);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot load a tokenizer from " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isGguf(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(4), GGUF_MAGIC);
        }
    }
}

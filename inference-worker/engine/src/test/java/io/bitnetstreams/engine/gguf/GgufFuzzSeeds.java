package io.bitnetstreams.engine.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the committed seed corpus of {@link GgufParserFuzz} (small files of our own making, no model data):
 * {@code java -cp target/test-classes:target/classes:... io.bitnetstreams.engine.gguf.GgufFuzzSeeds DIR}.
 */
final class GgufFuzzSeeds {

    private GgufFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        GgufWriterTest.everyType().write(dir.resolve("every-type"));
        new GgufWriter().write(dir.resolve("empty-v3"));
        new GgufWriter().version(2).putString("general.architecture", "bitnet-b1.58").write(dir.resolve("v2-one-key"));
        vocabulary().write(dir.resolve("tiny-vocabulary"));
    }

    /** A gpt2 vocabulary (bytes a..h, one merge, the Llama 3 markers) and model settings, without tensors. */
    private static GgufWriter vocabulary() {
        List<String> tokens = new ArrayList<>(List.of("a", "b", "c", "d", "e", "h", "l", "o", "Ġ", "he", "<|begin_of_text|>",
                "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"));
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, 1);
        java.util.Arrays.fill(types, 10, types.length, 3);
        return new GgufWriter()
                .putString("general.architecture", "bitnet-b1.58")
                .putUInt32("bitnet-b1.58.context_length", 64)
                .putUInt32("bitnet-b1.58.embedding_length", 32)
                .putUInt32("bitnet-b1.58.block_count", 1)
                .putUInt32("bitnet-b1.58.attention.head_count", 2)
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "llama-bpe")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putStringArray("tokenizer.ggml.merges", List.of("h e"))
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putUInt32("tokenizer.ggml.bos_token_id", 10)
                .putUInt32("tokenizer.ggml.eos_token_id", 11)
                .putBool("tokenizer.ggml.add_bos_token", true);
    }
}

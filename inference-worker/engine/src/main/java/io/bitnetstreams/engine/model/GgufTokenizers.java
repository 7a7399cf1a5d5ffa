package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufMetadata;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.util.List;

/** Builds the tokenizer a GGUF file carries ({@code tokenizer.ggml.*} keys, gpt2 byte-level BPE). */
public final class GgufTokenizers {

    static final String EOT_PIECE = "<|eot_id|>";

    private GgufTokenizers() {
    }

    /** The vocabulary stored in the file's metadata; errors name the missing or bad key. */
    public static Vocabulary vocabulary(GgufMetadata metadata) {
        try {
            String model = metadata.findString("tokenizer.ggml.model")
                    .orElseThrow(() -> new ModelFormatException("missing metadata key tokenizer.ggml.model"));
            if (!model.equals("gpt2")) {
                throw new ModelFormatException("tokenizer.ggml.model = '" + model
                        + "' is not supported; only gpt2 (byte-level BPE) is");
            }
            if (!metadata.has("tokenizer.ggml.tokens")) {
                throw new ModelFormatException("missing metadata key tokenizer.ggml.tokens");
            }
            List<String> tokens = metadata.getStringArray("tokenizer.ggml.tokens");
            List<String> merges = metadata.has("tokenizer.ggml.merges")
                    ? metadata.getStringArray("tokenizer.ggml.merges") : List.of();
            int[] types;
            if (metadata.has("tokenizer.ggml.token_type")) {
                types = metadata.getIntArray("tokenizer.ggml.token_type");
                if (types.length != tokens.size()) {
                    throw new ModelFormatException("tokenizer.ggml.token_type has " + types.length
                            + " entries but tokenizer.ggml.tokens has " + tokens.size());
                }
            } else {
                types = new int[tokens.size()];
                java.util.Arrays.fill(types, 1);
            }
            int bos = tokenId(metadata, "tokenizer.ggml.bos_token_id", tokens.size());
            int eos = tokenId(metadata, "tokenizer.ggml.eos_token_id", tokens.size());
            int eot = metadata.has("tokenizer.ggml.eot_token_id")
                    ? tokenId(metadata, "tokenizer.ggml.eot_token_id", tokens.size())
                    : tokens.indexOf(EOT_PIECE);
            return new Vocabulary(tokens, merges, types, bos, eos, eot);
        } catch (GgufFormatException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    /** The Llama 3 byte-level BPE tokenizer of the file. */
    public static Llama3Tokenizer tokenizer(GgufMetadata metadata) {
        return Llama3Tokenizer.create(vocabulary(metadata), preTokenizer(metadata));
    }

    /** {@code tokenizer.ggml.pre}, or null when absent (the official file has none). */
    public static String preTokenizer(GgufMetadata metadata) {
        return metadata.has("tokenizer.ggml.pre") ? metadata.getString("tokenizer.ggml.pre") : null;
    }

    /** {@code tokenizer.ggml.add_bos_token}, true when absent (llama.cpp's default for gpt2 vocabularies). */
    public static boolean addBos(GgufMetadata metadata) {
        return !metadata.has("tokenizer.ggml.add_bos_token") || metadata.getBoolean("tokenizer.ggml.add_bos_token");
    }

    private static int tokenId(GgufMetadata metadata, String key, int vocab) {
        if (!metadata.has(key)) {
            return -1;
        }
        long id = metadata.getLong(key);
        if (id < 0 || id >= vocab) {
            throw new ModelFormatException(key + " = " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return (int) id;
    }
}

package io.bitnetstreams.engine.tokenizer;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A byte-level BPE vocabulary as a GGUF file stores it ({@code tokenizer.ggml.tokens},
 * {@code tokenizer.ggml.merges}, {@code tokenizer.ggml.token_type} and the special ids).
 *
 * @param tokens     token texts in GPT-2 byte-to-unicode form (space = 'Ġ'); control tokens as
 *                   their literal name such as {@code <|eot_id|>}
 * @param merges     merges {@code "a b"} of two token texts; rank = index (lower merges first)
 * @param tokenTypes GGUF token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
 * @param bosId      beginning-of-text id, or -1
 * @param eosId      end-of-text id, or -1
 * @param eotId      end-of-turn id, or -1 when absent
 */
public record Vocabulary(List<String> tokens, List<String> merges, int[] tokenTypes, int bosId, int eosId, int eotId) {

    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    public static final int TYPE_BYTE = 6;

    /** Bounds on sizes read from files (Llama 3 has 128,256 tokens and 280,147 merges). */
    public static final int MAX_TOKENS = 1 << 21;
    public static final int MAX_MERGES = 1 << 22;
    public static final int MAX_TOKEN_CHARS = 4096;
    private static final long MAX_TIKTOKEN_FILE_BYTES = 64L << 20;

    /** Number of special tokens Llama 3 appends after its ranked tokens. */
    public static final int LLAMA3_SPECIAL_COUNT = 256;

    public Vocabulary {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(merges, "merges");
        Objects.requireNonNull(tokenTypes, "tokenTypes");
        if (tokens.isEmpty() || tokens.size() > MAX_TOKENS) {
            throw new IllegalArgumentException("vocabulary must have 1.." + MAX_TOKENS + " tokens, has " + tokens.size());
        }
        if (merges.size() > MAX_MERGES) {
            throw new IllegalArgumentException("vocabulary has too many merges: " + merges.size() + " > " + MAX_MERGES);
        }
        if (tokenTypes.length != tokens.size()) {
            throw new IllegalArgumentException(
                    "token_type has " + tokenTypes.length + " entries but there are " + tokens.size() + " tokens");
        }
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        tokenTypes = tokenTypes.clone();
        checkId("bos", bosId, tokens.size());
        checkId("eos", eosId, tokens.size());
        checkId("eot", eotId, tokens.size());
    }

    private static void checkId(String name, int id, int size) {
        if (id < -1 || id >= size) {
            throw new IllegalArgumentException(name + " id " + id + " is outside the vocabulary of " + size + " tokens");
        }
    }

    /** A copy of the token types. */
    @Override
    public int[] tokenTypes() {
        return tokenTypes.clone();
    }

    /** The type of one token without copying the whole array. */
    public int tokenType(int id) {
        return tokenTypes[id];
    }

    public int size() {
        return tokens.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && tokens.equals(v.tokens) && merges.equals(v.merges)
                && Arrays.equals(tokenTypes, v.tokenTypes) && bosId == v.bosId && eosId == v.eosId && eotId == v.eotId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(tokens, merges, Arrays.hashCode(tokenTypes), bosId, eosId, eotId);
    }

    @Override
    public String toString() {
        return "Vocabulary[tokens=" + tokens.size() + ", merges=" + merges.size() + ", bos=" + bosId + ", eos=" + eosId
                + ", eot=" + eotId + "]";
    }

    /**
     * The smallest usable vocabulary: the 256 single bytes (ids 0..255, type normal, so id = byte
     * value), then {@code <|begin_of_text|>}, {@code <|end_of_text|>}, {@code <|start_header_id|>},
     * {@code <|end_header_id|>}, {@code <|eot_id|>} at 256..260 (type control), no merges.
     */
    public static Vocabulary byteLevel() {
        List<String> tokens = new ArrayList<>(261);
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelCodec.charOf(b)));
        }
        tokens.addAll(List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, TYPE_NORMAL);
        Arrays.fill(types, 256, types.length, TYPE_CONTROL);
        return new Vocabulary(tokens, List.of(), types, 256, 257, 260);
    }

    /**
     * The Llama 3 special token names in id order, as Llama 3.1's tokenizer files name them:
     * reserved tokens are numbered consecutively around the named ones.
     */
    public static List<String> llama3SpecialTokens() {
        List<String> names = new ArrayList<>(LLAMA3_SPECIAL_COUNT);
        names.addAll(List.of("<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"));
        for (int reserved = 3; names.size() < LLAMA3_SPECIAL_COUNT; reserved++) {
            names.add("<|reserved_special_token_" + reserved + "|>");
        }
        return names;
    }

    /**
     * Reads a tiktoken ranks file ({@code base64-token rank} per line, ranks 0..n-1 each once) and
     * appends the 256 Llama 3 special tokens at n..n+255. The merge list is derived from the ranks
     * the way Hugging Face converts tiktoken vocabularies: every split (a, b) of a token t where a
     * and b are tokens is a merge; merges are ordered by the rank of t, then the rank of a, then
     * the rank of b. For Llama 3 this gives 280,147 merges.
     *
     * @throws IllegalArgumentException naming the line when the file is malformed
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static Vocabulary fromTiktoken(Path ranksFile) {
        byte[][] ranked = readTiktokenRanks(ranksFile);
        List<String> texts = byteLevelTexts(ranked);
        return llama3(texts, TiktokenRanks.deriveMerges(ranked, texts));
    }

    static byte[][] readTiktokenRanks(Path ranksFile) {
        return TiktokenRanks.read(ranksFile, MAX_TIKTOKEN_FILE_BYTES, MAX_TOKENS - LLAMA3_SPECIAL_COUNT);
    }

    static List<String> byteLevelTexts(byte[][] ranked) {
        List<String> texts = new ArrayList<>(ranked.length + LLAMA3_SPECIAL_COUNT);
        for (byte[] token : ranked) {
            texts.add(ByteLevelCodec.encode(token));
        }
        return texts;
    }

    /** Ranked token texts followed by the Llama 3 specials (control type). */
    static Vocabulary llama3(List<String> rankedTexts, List<String> merges) {
        int base = rankedTexts.size();
        List<String> tokens = new ArrayList<>(base + LLAMA3_SPECIAL_COUNT);
        tokens.addAll(rankedTexts);
        tokens.addAll(llama3SpecialTokens());
        int[] types = new int[tokens.size()];
        Arrays.fill(types, TYPE_NORMAL);
        Arrays.fill(types, base, types.length, TYPE_CONTROL);
        return new Vocabulary(tokens, merges, types, base, base + 1, base + 9);
    }
}

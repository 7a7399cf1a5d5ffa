package io.bitnetstreams.engine.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** Reads tiktoken ranks files and derives a BPE merge list from the ranks. */
final class TiktokenRanks {

    private TiktokenRanks() {
    }

    /** Token bytes by rank; every rank 0..n-1 must appear exactly once. */
    static byte[][] read(Path file, long maxFileBytes, int maxTokens) {
        try {
            long size = Files.size(file);
            if (size > maxFileBytes) {
                throw new IllegalArgumentException(
                        "tiktoken ranks file " + file + " is " + size + " bytes, more than the limit of " + maxFileBytes);
            }
            // Base64 lines are ASCII; Latin-1 never fails to decode, so stray bytes become a line error.
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return parse(lines, file.toString(), maxTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tiktoken ranks file " + file, e);
        }
    }

    static byte[][] parse(List<String> lines, String source, int maxTokens) {
        List<byte[]> byRank = new ArrayList<>();
        Base64.Decoder base64 = Base64.getDecoder();
        for (int lineNumber = 1; lineNumber <= lines.size(); lineNumber++) {
            String line = lines.get(lineNumber - 1).strip();
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || line.indexOf(' ', space + 1) >= 0) {
                throw malformed(source, lineNumber, "expected 'base64-token rank'");
            }
            byte[] token;
            try {
                token = base64.decode(line.substring(0, space));
            } catch (IllegalArgumentException e) {
                throw malformed(source, lineNumber, "token is not base64");
            }
            int rank;
            try {
                rank = Integer.parseInt(line, space + 1, line.length(), 10);
            } catch (NumberFormatException e) {
                throw malformed(source, lineNumber, "rank is not an integer");
            }
            if (token.length == 0 || token.length > Vocabulary.MAX_TOKEN_CHARS) {
                throw malformed(source, lineNumber, "token length " + token.length + " outside 1.." + Vocabulary.MAX_TOKEN_CHARS);
            }
            if (rank < 0 || rank >= maxTokens) {
                throw malformed(source, lineNumber, "rank " + rank + " outside 0.." + (maxTokens - 1));
            }
            while (byRank.size() <= rank) {
                byRank.add(null);
            }
            if (byRank.get(rank) != null) {
                throw malformed(source, lineNumber, "rank " + rank + " appears twice");
            }
            byRank.set(rank, token);
        }
        int missing = byRank.indexOf(null);
        if (byRank.isEmpty() || missing >= 0) {
            throw new IllegalArgumentException("tiktoken ranks file " + source + " has no token of rank " + Math.max(missing, 0));
        }
        byte[][] tokens = byRank.toArray(byte[][]::new);
        boolean[] all = new boolean[tokens.length];
        Arrays.fill(all, true);
        ByteSequenceIndex index = new ByteSequenceIndex(tokens, all);
        for (int rank = 0; rank < tokens.length; rank++) {
            if (index.find(tokens[rank], 0, tokens[rank].length) != rank) {
                throw new IllegalArgumentException("tiktoken ranks file " + source + " has the token of rank " + rank + " twice");
            }
        }
        return tokens;
    }

    private static IllegalArgumentException malformed(String source, int line, String problem) {
        return new IllegalArgumentException("tiktoken ranks file " + source + " line " + line + ": " + problem);
    }

    /** Receives one split of token {@code merged} into tokens {@code left} and {@code right}. */
    @FunctionalInterface
    interface SplitConsumer {
        void accept(int merged, int left, int right);
    }

    /**
     * Calls {@code consumer} for every split (a, b) of every token t where a and b are tokens, in
     * order of the rank of t, then of a, then of b (the order Hugging Face's tiktoken converter
     * produces).
     */
    static void forEachSplit(byte[][] tokensByRank, SplitConsumer consumer) {
        boolean[] all = new boolean[tokensByRank.length];
        Arrays.fill(all, true);
        ByteSequenceIndex index = new ByteSequenceIndex(tokensByRank, all);
        long[] local = new long[64];
        for (int merged = 0; merged < tokensByRank.length; merged++) {
            byte[] token = tokensByRank[merged];
            int count = 0;
            for (int split = 1; split < token.length; split++) {
                int left = index.find(token, 0, split);
                int right = left < 0 ? -1 : index.find(token, split, token.length - split);
                if (right >= 0) {
                    if (count == local.length) {
                        local = Arrays.copyOf(local, count * 2);
                    }
                    local[count++] = ((long) left << 32) | right;
                }
            }
            Arrays.sort(local, 0, count);
            for (int i = 0; i < count; i++) {
                consumer.accept(merged, (int) (local[i] >>> 32), (int) local[i]);
            }
        }
    }

    /** The merges of {@link #forEachSplit} as "a b" texts. */
    static List<String> deriveMerges(byte[][] tokensByRank, List<String> texts) {
        List<String> merges = new ArrayList<>(tokensByRank.length * 3);
        forEachSplit(tokensByRank, (merged, left, right) -> merges.add(texts.get(left) + ' ' + texts.get(right)));
        return merges;
    }
}

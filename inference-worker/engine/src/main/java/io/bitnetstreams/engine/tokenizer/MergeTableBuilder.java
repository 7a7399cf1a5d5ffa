package io.bitnetstreams.engine.tokenizer;

import java.util.List;

/** How a tokenizer gets its pair ranks: from a GGUF merge list, or from tiktoken token ranks. */
@FunctionalInterface
interface MergeTableBuilder {

    /** Pair ranks and, per rank, the token the merge produces. */
    record Table(PairRankMap ranks, int[] resultByRank) {
    }

    /** Builds the table; {@code pieces} finds the normal and byte tokens by their text. */
    Table build(PieceIndex pieces);

    /** Merges "a b" in rank order; each side and their concatenation must be tokens. */
    static MergeTableBuilder fromMerges(List<String> merges) {
        return pieceIndex -> {
            PairRankMap ranks = new PairRankMap(merges.size());
            int[] resultByRank = new int[merges.size()];
            for (int rank = 0; rank < merges.size(); rank++) {
                String merge = merges.get(rank);
                int space = merge.indexOf(' ');
                if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                    throw invalidMerge(rank, merge, "is not 'left right'");
                }
                int left = pieceIndex.find(merge, 0, space);
                int right = pieceIndex.find(merge, space + 1, merge.length());
                if (left < 0 || right < 0) {
                    throw invalidMerge(rank, merge, "names a token not in the vocabulary");
                }
                int merged = pieceIndex.findJoined(merge, 0, space, space + 1, merge.length());
                if (merged < 0) {
                    throw invalidMerge(rank, merge, "produces a token not in the vocabulary");
                }
                resultByRank[rank] = merged;
                ranks.putIfAbsent(left, right, rank); // a repeated merge keeps its first rank
            }
            return new Table(ranks, resultByRank);
        };
    }

    /** tiktoken's rule: a pair's rank is the rank of the token it forms; ranked tokens are ids 0..n-1. */
    static MergeTableBuilder fromRanks(byte[][] tokensByRank) {
        return pieceIndex -> {
            int[] splits = {0};
            TiktokenRanks.forEachSplit(tokensByRank, (merged, left, right) -> splits[0]++);
            PairRankMap ranks = new PairRankMap(splits[0]);
            TiktokenRanks.forEachSplit(tokensByRank, (merged, left, right) -> ranks.putIfAbsent(left, right, merged));
            int[] resultByRank = new int[tokensByRank.length];
            for (int rank = 0; rank < resultByRank.length; rank++) {
                resultByRank[rank] = rank;
            }
            return new Table(ranks, resultByRank);
        };
    }

    private static IllegalArgumentException invalidMerge(int rank, String merge, String problem) {
        return new IllegalArgumentException("merge " + rank + " " + Llama3Tokenizer.quote(merge) + " " + problem);
    }
}

package io.bitnetstreams.engine.tokenizer;

import java.util.List;

/** How a tokenizer gets its pair ranks: from a GGUF merge list, or from tiktoken token ranks. */
@FunctionalInterface
interface MergeTableBuilder {

    /** Pair ranks and, per rank, the token the merge produces. */
    record Table(PairRankMap ranks, int[] resultByRank) {
    }

    Table build(Llama3Tokenizer tokenizer);

    /** Merges "a b" in rank order; each side and their concatenation must be tokens. */
    static MergeTableBuilder fromMerges(List<String> merges) {
        return tokenizer -> {
            PairRankMap ranks = new PairRankMap(merges.size());
            int[] resultByRank = new int[merges.size()];
            for (int rank = 0; rank < merges.size(); rank++) {
                String merge = merges.get(rank);
                int space = merge.indexOf(' ');
                if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                    throw new IllegalArgumentException("merge " + rank + " '" + merge + "' is not 'left right'");
                }
                int left = tokenizer.mergeableIdOfPiece(merge.substring(0, space));
                int right = tokenizer.mergeableIdOfPiece(merge.substring(space + 1));
                if (left < 0 || right < 0) {
                    throw new IllegalArgumentException("merge " + rank + " '" + merge + "' names a token not in the vocabulary");
                }
                int merged = tokenizer.concatenationId(left, right);
                if (merged < 0) {
                    throw new IllegalArgumentException("merge " + rank + " '" + merge + "' produces a token not in the vocabulary");
                }
                resultByRank[rank] = merged;
                ranks.putIfAbsent(left, right, rank); // a repeated merge keeps its first rank
            }
            return new Table(ranks, resultByRank);
        };
    }

    /** tiktoken's rule: a pair's rank is the rank of the token it forms; ranked tokens are ids 0..n-1. */
    static MergeTableBuilder fromRanks(byte[][] tokensByRank) {
        return tokenizer -> {
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
}

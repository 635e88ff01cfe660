package io.bge4j.core.rerank;

/**
 * Token budgets for one query-passage pair, special tokens included in {@link #pairMaxTokens()} only.
 *
 * <p>The query is cut to {@link #queryMaxTokens()} tokens and the passage to {@link #passageMaxTokens()}
 * (both without special tokens, keeping the first tokens); then, if the pair with its special tokens is
 * longer than {@link #pairMaxTokens()}, tokens are removed from the end of the passage only (HF's
 * {@code truncation='only_second'}).
 *
 * <p>Usage: {@code PairLimits l = PairLimits.training(32, 128); // 64 / 144 / 160}
 *
 * @param queryMaxTokens longest query, in tokens without special tokens, &ge; 1
 * @param passageMaxTokens longest passage, in tokens without special tokens, &ge; 1
 * @param pairMaxTokens longest pair, special tokens included, &ge; 4
 */
public record PairLimits(int queryMaxTokens, int passageMaxTokens, int pairMaxTokens) {

    /** Validates the budgets and names the bad one. */
    public PairLimits {
        if (queryMaxTokens < 1) {
            throw new IllegalArgumentException("queryMaxTokens must be >= 1, got " + queryMaxTokens);
        }
        if (passageMaxTokens < 1) {
            throw new IllegalArgumentException("passageMaxTokens must be >= 1, got " + passageMaxTokens);
        }
        if (pairMaxTokens < 4) {
            throw new IllegalArgumentException("pairMaxTokens must be >= 4 (room for special tokens), got "
                    + pairMaxTokens);
        }
    }

    /**
     * FlagEmbedding's reranker training budgets ({@code AbsRerankerTrainDataset.create_one_example}):
     * query cut to {@code q + p/4}, passage to {@code p + q/2}, pair to {@code q + p} (integer division).
     *
     * @param queryMaxLen FlagEmbedding's {@code query_max_len}
     * @param passageMaxLen FlagEmbedding's {@code passage_max_len}
     * @return the limits
     */
    public static PairLimits training(int queryMaxLen, int passageMaxLen) {
        if (queryMaxLen < 1 || passageMaxLen < 1) {
            throw new IllegalArgumentException("queryMaxLen and passageMaxLen must be >= 1, got " + queryMaxLen
                    + " and " + passageMaxLen);
        }
        return new PairLimits(queryMaxLen + passageMaxLen / 4, passageMaxLen + queryMaxLen / 2,
                queryMaxLen + passageMaxLen);
    }

    /**
     * FlagEmbedding's {@code FlagReranker.compute_score} budgets: query cut to {@code 3/4} of the maximum
     * length, passage and pair to the maximum length.
     *
     * @param maxLength {@code max_length} (512 in FlagEmbedding)
     * @return the limits
     */
    public static PairLimits inference(int maxLength) {
        if (maxLength < 4) {
            throw new IllegalArgumentException("maxLength must be >= 4, got " + maxLength);
        }
        return new PairLimits(maxLength * 3 / 4, maxLength, maxLength);
    }
}

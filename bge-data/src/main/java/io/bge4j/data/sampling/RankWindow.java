package io.bge4j.data.sampling;

/**
 * A range of retrieval ranks {@code [from, to)} that negatives are drawn from; rank 0 is the best
 * hit. Ranks count every retrieved document, positives included (as FlagEmbedding's hn_mine
 * {@code range_for_sampling} does), so {@code [10, 210)} skips the ten nearest documents.
 *
 * <p>Usage: {@code RankWindow hard = RankWindow.of(10, 210);}
 *
 * @param from first rank, inclusive, at least 0
 * @param to last rank, exclusive, greater than {@code from}
 */
public record RankWindow(int from, int to) {

    /** Validates the bounds. */
    public RankWindow {
        if (from < 0) {
            throw new IllegalArgumentException("rank window 'from' must be >= 0, was " + from);
        }
        if (to <= from) {
            throw new IllegalArgumentException("rank window 'to' (" + to + ") must be greater than 'from' (" + from + ")");
        }
    }

    /**
     * @param from first rank, inclusive
     * @param to last rank, exclusive
     * @return the window
     */
    public static RankWindow of(int from, int to) {
        return new RankWindow(from, to);
    }

    /** @return the number of ranks in the window */
    public int size() {
        return to - from;
    }

    /**
     * @param rank a 0-based rank
     * @return whether it lies in the window
     */
    public boolean contains(int rank) {
        return rank >= from && rank < to;
    }
}

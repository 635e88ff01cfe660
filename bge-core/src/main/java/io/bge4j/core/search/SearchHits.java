package io.bge4j.core.search;

import java.util.Objects;

/**
 * The top-k corpus rows of one query, best first: {@code positions[i]} is a 0-based corpus row and
 * {@code scores[i]} its inner product with the query. Equal scores are ordered by lower position.
 * The arrays are shared, not copied: treat them as read-only.
 *
 * <p>Usage: {@code int best = hits.positions()[0]; float s = hits.scores()[0];}
 *
 * @param positions corpus rows, best first
 * @param scores the matching scores, non-increasing
 */
public record SearchHits(int[] positions, float[] scores) {

    /** Checks that both arrays have the same length. */
    public SearchHits {
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(scores, "scores");
        if (positions.length != scores.length) {
            throw new IllegalArgumentException("positions (" + positions.length + ") and scores ("
                    + scores.length + ") must have the same length");
        }
    }

    /** @return the number of hits (at most k; fewer when the corpus is smaller) */
    public int size() {
        return positions.length;
    }
}

package io.bge4j.core.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus rows that must never be returned for a given query (for example the query's own document
 * in ArguAna/Quora-style data sets, where queries are also documents).
 *
 * <p>Usage: {@code search.search(q, c, Exclusions.identicalIds(queryIds, corpusIds));}
 */
@FunctionalInterface
public interface Exclusions {

    /**
     * @param queryIndex 0-based query row
     * @return the corpus rows to skip for that query (any order, may be empty, never null)
     */
    int[] excludedPositions(int queryIndex);

    /** @return exclusions that exclude nothing */
    static Exclusions none() {
        return q -> new int[0];
    }

    /**
     * Excludes, for each query, the corpus row whose id equals the query id.
     *
     * @param queryIds one id per query row
     * @param corpusIds one id per corpus row; duplicates are all excluded
     * @return the exclusions
     */
    static Exclusions identicalIds(List<String> queryIds, List<String> corpusIds) {
        Map<String, int[]> rowsById = new HashMap<>();
        for (int i = 0; i < corpusIds.size(); i++) {
            rowsById.merge(corpusIds.get(i), new int[] {i}, (a, b) -> {
                int[] merged = java.util.Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, merged, a.length, b.length);
                return merged;
            });
        }
        List<String> ids = List.copyOf(queryIds);
        int[] empty = new int[0];
        return q -> rowsById.getOrDefault(ids.get(q), empty).clone();
    }
}

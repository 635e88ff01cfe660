package io.bge4j.data.sampling;

import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.SearchHits;
import java.util.List;

/**
 * Top-k inner-product search as the {@link DenseNegativeMiner} needs it; the default is bge-core's
 * exact search. Plug in an approximate index for corpora too large for exact search.
 *
 * <p>Usage: {@code DenseNegativeMiner.builder().searcher(TopKSearcher.exact())}
 */
@FunctionalInterface
public interface TopKSearcher {

    /**
     * @param queries query vectors
     * @param corpus corpus vectors
     * @param k hits per query
     * @return one hit list per query, best first, in query order
     */
    List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus, int k);

    /** @return bge-core's {@link ExactSearch} with default chunking */
    static TopKSearcher exact() {
        return (q, c, k) -> ExactSearch.builder().k(k).build().search(q, c);
    }
}

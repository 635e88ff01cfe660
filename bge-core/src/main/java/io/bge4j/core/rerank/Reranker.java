package io.bge4j.core.rerank;

import java.util.List;

/**
 * Scores passages against a query; higher means more relevant. A {@link CrossEncoder} is one; tests and
 * other scorers (e.g. a remote reranker) can implement it too.
 *
 * <p>Usage: {@code float[] s = reranker.score("install a web server", List.of("nginx ...", "vim ..."));}
 */
@FunctionalInterface
public interface Reranker {

    /**
     * @param query the query text (the scorer adds any instruction it needs)
     * @param passages the candidates
     * @return one score per passage, in order
     */
    float[] score(String query, List<String> passages);
}

package io.bge4j.langchain4j;

import java.util.List;

/**
 * Scores passages against a query, higher meaning more relevant: what {@link BgeLangChain4jScoringModel} needs from a
 * reranker. It has the shape of bge4j's cross-encoder scoring ({@code score(query, passages)}), so a bge4j reranker
 * plugs in as a method reference: {@code BgeLangChain4jScoringModel.of(crossEncoder::score)}.
 *
 * <p>Usage: {@code PassageScorer s = (query, passages) -> crossEncoder.score(query, passages);}
 */
@FunctionalInterface
public interface PassageScorer {

    /**
     * @param query the query text
     * @param passages the candidates
     * @return one score per passage, in order
     */
    float[] score(String query, List<String> passages);
}

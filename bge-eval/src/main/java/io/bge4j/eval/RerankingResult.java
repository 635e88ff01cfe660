package io.bge4j.eval;

import java.util.Objects;

/**
 * The metrics of a first-stage run, the same run after reranking its top k, and their paired
 * comparison (first stage as base).
 *
 * <p>Usage: {@code RerankingResult r = evaluator.evaluate(run, crossEncoder); r.comparison().metric(Metric.NDCG_AT_10)}
 *
 * @param firstStage metrics of the first-stage ranking
 * @param reranked metrics after reranking (its run is kept)
 * @param comparison reranked vs first stage: deltas, paired bootstrap CI, randomisation p-values
 * @param topK how many documents per query were rescored
 * @param pairsScored query-document pairs given to the reranker
 * @param rerankSeconds wall time spent in the reranker
 */
public record RerankingResult(EvaluationResult firstStage, EvaluationResult reranked, Comparison comparison, int topK,
        long pairsScored, double rerankSeconds) {

    /** Checks that the parts are present. */
    public RerankingResult {
        Objects.requireNonNull(firstStage, "firstStage");
        Objects.requireNonNull(reranked, "reranked");
        Objects.requireNonNull(comparison, "comparison");
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
    }
}

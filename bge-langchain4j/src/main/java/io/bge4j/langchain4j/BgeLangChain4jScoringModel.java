package io.bge4j.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import io.bge4j.core.rerank.Reranker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A reranker as a langchain4j {@link ScoringModel}, e.g. for {@code ReRankingContentAggregator}: every segment of a
 * call is scored against the query in one {@link PassageScorer} call (the scorer batches). Scores are the scorer's raw
 * relevance logits, or with {@link #normalized} their logistic sigmoid {@code 1 / (1 + e^-s)} in (0, 1), as
 * FlagEmbedding's {@code compute_score(normalize=True)} reports them, so that a {@code minScore} has a fixed scale.
 *
 * <p>Usage:
 * <pre>{@code
 * ScoringModel scoring = BgeLangChain4jScoringModel.forReranker(CrossEncoder.load(dir)).normalized();
 * ContentAggregator aggregator = ReRankingContentAggregator.builder().scoringModel(scoring).minScore(0.5).build();
 * }</pre>
 */
public final class BgeLangChain4jScoringModel implements ScoringModel {

    private final PassageScorer scorer;
    private final boolean sigmoid;

    private BgeLangChain4jScoringModel(PassageScorer scorer, boolean sigmoid) {
        this.scorer = scorer;
        this.sigmoid = sigmoid;
    }

    /**
     * @param reranker a bge4j reranker, e.g. a {@code CrossEncoder} (the caller keeps owning and closes it)
     * @return a scoring model that reports the reranker's raw scores
     */
    public static BgeLangChain4jScoringModel forReranker(Reranker reranker) {
        Objects.requireNonNull(reranker, "reranker");
        return of((PassageScorer) reranker::score);
    }

    /**
     * @param scorer the reranker (e.g. {@code crossEncoder::score})
     * @return a scoring model that reports raw scores
     */
    public static BgeLangChain4jScoringModel of(PassageScorer scorer) {
        return new BgeLangChain4jScoringModel(Objects.requireNonNull(scorer, "scorer"), false);
    }

    /** @return a scoring model on the same scorer that reports {@code sigmoid(score)} */
    public BgeLangChain4jScoringModel normalized() {
        return new BgeLangChain4jScoringModel(scorer, true);
    }

    /** @return whether scores are passed through the logistic sigmoid */
    public boolean isNormalized() {
        return sigmoid;
    }

    /**
     * @throws IllegalStateException when the scorer returns a different number of scores than segments
     */
    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(query, "query");
        if (segments.isEmpty()) {
            return Response.from(List.of());
        }
        List<String> passages = new ArrayList<>(segments.size());
        for (TextSegment s : segments) {
            passages.add(s.text());
        }
        float[] raw = scorer.score(query, passages);
        if (raw == null || raw.length != passages.size()) {
            throw new IllegalStateException("the scorer returned " + (raw == null ? "null" : raw.length + " scores")
                    + " for " + passages.size() + " passages");
        }
        List<Double> out = new ArrayList<>(raw.length);
        for (float s : raw) {
            out.add(sigmoid ? 1.0 / (1.0 + Math.exp(-s)) : (double) s);
        }
        return Response.from(out);
    }
}

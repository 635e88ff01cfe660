package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.rerank.Reranker;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reranking stage on constructed runs with hand-computed metrics. */
class RerankingEvaluatorTest {

    private static final Corpus CORPUS = Corpus.of(List.of(
            new CorpusDocument("d1", "", "alpha"), new CorpusDocument("d2", "", "beta"),
            new CorpusDocument("d3", "", "gamma"), new CorpusDocument("d4", "", "delta")));
    private static final Queries QUERIES = Queries.of(Map.of("q1", "find gamma", "q2", "find beta"));
    private static final Qrels QRELS = Qrels.of(Map.of("q1", Map.of("d3", 1), "q2", Map.of("d2", 1)));

    /** Scores a passage 10 if the query contains its text, else by its length (so "alpha" > "beta"). */
    private static final Reranker CONTAINS = (q, ps) -> {
        float[] s = new float[ps.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = q.contains(ps.get(i)) ? 10 : ps.get(i).length();
        }
        return s;
    };

    private static Run firstStage() {
        Run.Builder b = Run.builder();
        for (String q : List.of("q1", "q2")) {
            b.add(q, "d1", 4).add(q, "d2", 3).add(q, "d3", 2).add(q, "d4", 1);
        }
        return b.build();
    }

    @Test
    void reranksOnlyTheTopKAndKeepsTheTailInFirstStageOrder() {
        RerankingEvaluator ev = RerankingEvaluator.builder().queries(QUERIES).corpus(CORPUS).qrels(QRELS).topK(2)
                .metrics(List.of(Metric.NDCG_AT_10)).build();
        RerankingResult r = ev.evaluate(firstStage(), CONTAINS);
        // q1: top 2 are d1 (alpha, 5) and d2 (beta, 4): order unchanged; d3 stays 3rd: nDCG = 1/log2(4) = 0.5
        // q2: d2 (beta) contains-match 10 > d1 5: d2 moves to rank 1: nDCG 1/log2(3) -> 1
        EvaluationResult before = r.firstStage();
        EvaluationResult after = r.reranked();
        assertEquals(0.5, before.value("q1", Metric.NDCG_AT_10).orElseThrow(), 1e-12);
        assertEquals(1 / (Math.log(3) / Math.log(2)), before.value("q2", Metric.NDCG_AT_10).orElseThrow(), 1e-12);
        assertEquals(0.5, after.value("q1", Metric.NDCG_AT_10).orElseThrow(), 1e-12);
        assertEquals(1.0, after.value("q2", Metric.NDCG_AT_10).orElseThrow(), 1e-12);
        assertEquals(4, r.pairsScored());
        List<ScoredDoc> q2 = after.run().ranking("q2");
        assertEquals(List.of("d2", "d1", "d3", "d4"), q2.stream().map(ScoredDoc::docId).toList());
        assertEquals(List.of(10.0, 5.0, 4.0, 3.0), q2.stream().map(ScoredDoc::score).toList());
        MetricComparison c = r.comparison().metric(Metric.NDCG_AT_10);
        assertEquals((1.0 - 1 / (Math.log(3) / Math.log(2))) / 2, c.delta(), 1e-12);
        assertEquals(1, c.wins());
        assertEquals(1, c.ties());
    }

    @Test
    void aRunDocumentMissingFromTheCorpusIsNamed() {
        Run bad = Run.builder().add("q1", "d9", 1).build();
        RerankingEvaluator ev = RerankingEvaluator.builder().queries(QUERIES).corpus(CORPUS).qrels(QRELS).build();
        Bge4jException e = assertThrows(Bge4jException.class, () -> ev.evaluate(bad, CONTAINS));
        assertTrue(e.getMessage().contains("'d9'") && e.getMessage().contains("'q1'"), e.getMessage());
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RerankingEvaluator.builder().queries(QUERIES).corpus(CORPUS).qrels(QRELS).topK(0).build());
        assertTrue(e.getMessage().contains("topK"));
        assertThrows(IllegalArgumentException.class, () -> RerankingEvaluator.builder().corpus(CORPUS).qrels(QRELS).build());
    }

    @Test
    void retrievalEvaluatorFeedsItsDenseRunToTheRerankingStage() {
        List<String> texts = new ArrayList<>();
        CORPUS.documents().forEach(d -> texts.add(d.text()));
        texts.addAll(QUERIES.byId().values());
        RetrievalEvaluator eval = RetrievalEvaluator.builder().queries(QUERIES).corpus(CORPUS).qrels(QRELS)
                .cutoffs(List.of(1, 10)).build();
        try (BgeModel m = TinyModels.bert(texts, 3); Embedder e = m.embedder().build()) {
            EvaluationResult dense = eval.evaluate(e);
            RerankingResult r = eval.evaluateWithReranking(e, CONTAINS, 4);
            assertEquals(dense.mean(Metric.NDCG_AT_10), r.firstStage().mean(Metric.NDCG_AT_10), 1e-12);
            // reranking all four documents with the containment scorer puts each relevant document first
            assertEquals(1.0, r.reranked().mean(Metric.NDCG_AT_10), 1e-12);
            assertEquals(8, r.pairsScored());
        }
    }
}

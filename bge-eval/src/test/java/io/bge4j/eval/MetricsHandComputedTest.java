package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.beir.Qrels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every metric on small examples whose expected values were worked out by hand (see comments). */
class MetricsHandComputedTest {
    private static final double EPS = 1e-9;

    private static double m(EvaluationResult r, String q, String key) {
        return r.value(q, Metric.parse(key)).orElseThrow();
    }

    /*
     * Query A. Judgements: d1 = 2, d2 = 1, d3 = 0 (judged non-relevant), d4 = 1 → 3 relevant documents.
     * Run (scores): d3 .9, d1 .8, d5 .7 (unjudged), d2 .6, d6 .5
     *   rank:  1   2   3   4   5
     *   rel:   0   2   0   1   0
     * Hits in top k: @1 = 0, @3 = 1, @5 = 2, @10 = 2 (the ranking has 5 documents).
     *
     * Query B. Judgements: d1..d4 all 1 → 4 relevant. Run: d2 .9, d9 .8, d3 .7 (only 3 documents).
     *   rel:   1   0   1
     * Hits: @1 = 1, @3 = 2, @5 = 2.
     */
    private static final Qrels QRELS = Qrels.of(Map.of(
            "A", Map.of("d1", 2, "d2", 1, "d3", 0, "d4", 1),
            "B", Map.of("d1", 1, "d2", 1, "d3", 1, "d4", 1)));
    private static final Run RUN = Run.builder()
            .add("A", "d3", .9).add("A", "d1", .8).add("A", "d5", .7).add("A", "d2", .6).add("A", "d6", .5)
            .add("B", "d2", .9).add("B", "d9", .8).add("B", "d3", .7)
            .build();
    private static final EvaluationResult R = MetricsCalculator.builder()
            .cutoffs(List.of(1, 3, 5, 10)).build().evaluate(QRELS, RUN);

    @Test
    void precisionDividesByK() {
        // A: 0/1, 1/3, 2/5, 2/10
        assertEquals(0.0, m(R, "A", "precision@1"), EPS);
        assertEquals(1.0 / 3, m(R, "A", "precision@3"), EPS);
        assertEquals(0.4, m(R, "A", "precision@5"), EPS);
        assertEquals(0.2, m(R, "A", "precision@10"), EPS);
        // B: 1/1, 2/3, 2/5 (k larger than the ranking still divides by k)
        assertEquals(1.0, m(R, "B", "precision@1"), EPS);
        assertEquals(0.4, m(R, "B", "precision@5"), EPS);
    }

    @Test
    void recallDividesByAllRelevant() {
        // A: 0/3, 1/3, 2/3, 2/3
        assertEquals(0.0, m(R, "A", "recall@1"), EPS);
        assertEquals(1.0 / 3, m(R, "A", "recall@3"), EPS);
        assertEquals(2.0 / 3, m(R, "A", "recall@5"), EPS);
        assertEquals(2.0 / 3, m(R, "A", "recall@10"), EPS);
        // B: 1/4, 2/4
        assertEquals(0.25, m(R, "B", "recall@1"), EPS);
        assertEquals(0.5, m(R, "B", "recall@5"), EPS);
    }

    @Test
    void recallCapDividesByMinOfKAndRelevant() {
        // A: 0/min(1,3) = 0, 1/min(3,3) = 1/3, 2/min(5,3) = 2/3
        assertEquals(0.0, m(R, "A", "recall_cap@1"), EPS);
        assertEquals(1.0 / 3, m(R, "A", "recall_cap@3"), EPS);
        assertEquals(2.0 / 3, m(R, "A", "recall_cap@5"), EPS);
        // B: 1/min(1,4) = 1, 2/min(3,4) = 2/3, 2/min(5,4) = 1/2
        assertEquals(1.0, m(R, "B", "recall_cap@1"), EPS);
        assertEquals(2.0 / 3, m(R, "B", "recall_cap@3"), EPS);
        assertEquals(0.5, m(R, "B", "recall_cap@5"), EPS);
    }

    @Test
    void mrrIsCutAtK() {
        // A: first relevant at rank 2 → @1 = 0, @3 = 1/2, @10 = 1/2. B: rank 1 → 1.
        assertEquals(0.0, m(R, "A", "mrr@1"), EPS);
        assertEquals(0.5, m(R, "A", "mrr@3"), EPS);
        assertEquals(0.5, m(R, "A", "mrr@10"), EPS);
        assertEquals(1.0, m(R, "B", "mrr@1"), EPS);
    }

    @Test
    void mapCutSumsPrecisionAtRelevantRanksOverAllRelevant() {
        // A: relevant at rank 2 (P@2 = 1/2) and rank 4 (P@4 = 2/4).
        //    map@1 = 0; map@3 = (1/2)/3 = 1/6; map@5 = (1/2 + 1/2)/3 = 1/3
        assertEquals(0.0, m(R, "A", "map@1"), EPS);
        assertEquals(1.0 / 6, m(R, "A", "map@3"), EPS);
        assertEquals(1.0 / 3, m(R, "A", "map@5"), EPS);
        // B: relevant at rank 1 (P = 1) and rank 3 (P = 2/3): map@5 = (1 + 2/3)/4 = 5/12
        assertEquals(5.0 / 12, m(R, "B", "map@5"), EPS);
        assertEquals(1.0 / 4, m(R, "B", "map@1"), EPS);
    }

    @Test
    void ndcgUsesGradedGainsLog2DiscountAndIdealFromQrels() {
        // A: DCG@3 = 2/log2(3) = 1.2618595; IDCG@3 over ideal gains [2, 1, 1] =
        //    2/1 + 1/log2(3) + 1/log2(4) = 3.1309298 → 0.4030303
        //    DCG@5 = 1.2618595 + 1/log2(5) = 1.6925361; IDCG@5 = 3.1309298 → 0.5405858
        assertEquals(0.0, m(R, "A", "ndcg@1"), EPS);
        assertEquals(0.4030302838010049, m(R, "A", "ndcg@3"), EPS);
        assertEquals(0.5405857679450102, m(R, "A", "ndcg@5"), EPS);
        assertEquals(0.5405857679450102, m(R, "A", "ndcg@10"), EPS);
        // B: DCG@3 = 1 + 1/log2(4) = 1.5; IDCG@3 = 1 + 1/log2(3) + 1/2 = 2.1309298 → 0.7039181
        //    @5: IDCG@5 adds 1/log2(5) = 0.4306766 → 1.5 / 2.5616064 = 0.5855701
        assertEquals(1.0, m(R, "B", "ndcg@1"), EPS);
        assertEquals(0.7039180890341347, m(R, "B", "ndcg@3"), EPS);
        assertEquals(0.5855700749881525, m(R, "B", "ndcg@5"), EPS);
    }

    @Test
    void accuracyIsHitRate() {
        assertEquals(0.0, m(R, "A", "accuracy@1"), EPS);
        assertEquals(1.0, m(R, "A", "accuracy@3"), EPS);
        assertEquals(1.0, m(R, "B", "accuracy@1"), EPS);
    }

    @Test
    void meanIsOverEvaluatedQueries() {
        // precision@5: (0.4 + 0.4) / 2; recall@1: (0 + 0.25) / 2; ndcg@3: (0.4030303 + 0.7039181) / 2
        assertEquals(0.4, R.mean(Metric.parse("precision@5")), EPS);
        assertEquals(0.125, R.mean(Metric.parse("recall@1")), EPS);
        assertEquals((0.4030302838010049 + 0.7039180890341347) / 2, R.mean(Metric.parse("ndcg@3")), EPS);
        assertEquals(2, R.counts().evaluated());
        assertEquals(Metric.NDCG_AT_10, R.primary());
        assertEquals(R.mean(Metric.NDCG_AT_10), R.scalars().get("ndcg@10"), 0.0);
    }

    @Test
    void tiesAreBrokenByDocIdDescendingLikeTrecEval() {
        // All three documents score 0.5; trec_eval sorts equal scores by docno descending: dc, db, da.
        // The relevant document dc is therefore at rank 1 (it would be rank 3 in ascending order).
        Run run = Run.builder().add("q", "da", .5).add("q", "db", .5).add("q", "dc", .5).build();
        assertEquals(List.of("dc", "db", "da"), run.ranking("q").stream().map(ScoredDoc::docId).toList());
        EvaluationResult r = MetricsCalculator.builder().cutoffs(List.of(1, 10)).build()
                .evaluate(Qrels.of(Map.of("q", Map.of("dc", 1))), run);
        assertEquals(1.0, m(r, "q", "mrr@10"), EPS);
        assertEquals(1.0, m(r, "q", "precision@1"), EPS);
        // the order of insertion does not matter
        Run reversed = Run.builder().add("q", "dc", .5).add("q", "db", .5).add("q", "da", .5).build();
        assertEquals(run.rankings(), reversed.rankings());
    }

    @Test
    void duplicateDocIdsKeepTheFirstOccurrence() {
        // d1 first appears with score 0.1 (last place), then again with 0.9: the repeat is dropped, so the
        // relevant d1 stays at rank 3 → mrr@10 = 1/3, and precision@10 counts it once: 1/10.
        Run run = Run.builder().add("q", "d1", .1).add("q", "d2", .5).add("q", "d3", .4).add("q", "d1", .9).build();
        assertEquals(1, run.duplicatesDropped());
        assertEquals(3, run.ranking("q").size());
        EvaluationResult r = MetricsCalculator.builder().cutoffs(List.of(10)).build()
                .evaluate(Qrels.of(Map.of("q", Map.of("d1", 1))), run);
        assertEquals(1.0 / 3, m(r, "q", "mrr@10"), EPS);
        assertEquals(0.1, m(r, "q", "precision@10"), EPS);
    }

    @Test
    void queriesWithoutRelevantDocumentsOrRunAreExcludedAndCounted() {
        Qrels qrels = Qrels.of(Map.of(
                "ok", Map.of("d1", 1),
                "zero", Map.of("d1", 0, "d2", 0), // judged, nothing relevant: excluded
                "absent", Map.of("d1", 1)));      // relevant docs but no run line: excluded (or 0 with -c)
        Run run = Run.builder().add("ok", "d1", 1).add("zero", "d1", 1).add("extra", "d1", 1).build();
        EvaluationResult r = MetricsCalculator.builder().cutoffs(List.of(1)).build().evaluate(qrels, run);
        assertEquals(new QueryCounts(1, 1, 1, 1), r.counts());
        assertEquals(1.0, r.mean(Metric.parse("ndcg@1")), EPS);
        assertEquals(List.of("ok"), List.copyOf(r.perQuery().keySet()));

        EvaluationResult c = MetricsCalculator.builder().cutoffs(List.of(1)).scoreMissingQueriesAsZero(true).build()
                .evaluate(qrels, run);
        assertEquals(new QueryCounts(2, 1, 1, 1), c.counts());
        assertEquals(0.5, c.mean(Metric.parse("ndcg@1")), EPS); // (1 + 0) / 2
        assertEquals(0.0, m(c, "absent", "recall@1"), EPS);
    }

    @Test
    void noEvaluatedQueryGivesNaNMeans() {
        EvaluationResult r = MetricsCalculator.defaults().evaluate(Qrels.of(Map.of("q", Map.of("d", 0))),
                Run.builder().build());
        assertTrue(Double.isNaN(r.primaryValue()));
        assertEquals(0, r.counts().evaluated());
    }

    @Test
    void metricKeysParseAndValidate() {
        assertEquals("recall_cap@100", Metric.parse("recall_cap@100").key());
        assertEquals(new Metric(MetricType.MAP, 100), Metric.parse("MAP@100"));
        assertEquals(35, Metric.defaults().size());
        assertEquals("ndcg@1", Metric.defaults().get(0).key());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metric.parse("ndcg10")).getMessage()
                .contains("name@k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metric.parse("foo@10")).getMessage()
                .contains("unknown metric 'foo'"));
        assertThrows(IllegalArgumentException.class, () -> Metric.parse("ndcg@0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricsCalculator.builder().cutoffs(List.of(5)).primary(Metric.NDCG_AT_10).build());
        assertEquals(Metric.parse("ndcg@5"), MetricsCalculator.builder().cutoffs(List.of(5, 20)).build().primary());
        assertTrue(e.getMessage().contains("primary metric ndcg@10"), e.getMessage());
    }
}

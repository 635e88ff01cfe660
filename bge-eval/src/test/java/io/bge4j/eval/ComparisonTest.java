package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final Metric M = Metric.NDCG_AT_10;
    private static final Metric R = Metric.parse("recall@10");

    static EvaluationResult result(String name, double[] ndcg, double[] recall) {
        Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < ndcg.length; i++) {
            perQuery.put("q" + i, Map.of(M, ndcg[i], R, recall[i]));
            s1 += ndcg[i];
            s2 += recall[i];
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < ndcg.length; i++) {
            texts.put("q" + i, "text of <q" + i + ">");
        }
        return new EvaluationResult(name, M, List.of(M, R), Map.of(M, s1 / ndcg.length, R, s2 / ndcg.length),
                perQuery, new QueryCounts(ndcg.length, 0, 0, 0), texts, null);
    }

    @Test
    void identicalResultsHaveZeroDeltaAndPValueOne() {
        EvaluationResult a = result("a", new double[] {.1, .5, .9}, new double[] {0, 1, 1});
        Comparison c = Comparison.of(a, a.withName("b"));
        MetricComparison mc = c.metric(M);
        assertEquals(0.0, mc.delta(), 0.0);
        assertEquals(0.0, mc.ciLow(), 0.0);
        assertEquals(0.0, mc.ciHigh(), 0.0);
        assertEquals(1.0, mc.pValue(), 0.0);
        assertEquals(3, mc.ties());
        assertTrue(c.mostImproved().isEmpty() && c.mostDegraded().isEmpty());
    }

    @Test
    void signFlipPValueMatchesTheExactDistribution() {
        // Three queries, each improved by exactly 0.2. Under random sign flips, |mean| reaches 0.2 only when
        // all three signs agree: 2 of 8 patterns → p ≈ 0.25.
        EvaluationResult a = result("base", new double[] {.1, .3, .5}, new double[] {0, 0, 0});
        EvaluationResult b = result("tuned", new double[] {.3, .5, .7}, new double[] {0, 0, 1});
        Comparison c = Comparison.builder().base(a).tuned(b).permutations(20_000).seed(1).build();
        MetricComparison mc = c.metric(M);
        assertEquals(0.2, mc.delta(), 1e-12);
        assertEquals(0.25, mc.pValue(), 0.015);
        assertEquals(3, mc.wins());
        // every bootstrap resample of three equal deltas has mean 0.2
        assertEquals(0.2, mc.ciLow(), 1e-12);
        assertEquals(0.2, mc.ciHigh(), 1e-12);
        MetricComparison rc = c.metric(R);
        assertEquals(1.0 / 3, rc.delta(), 1e-12);
        assertEquals(1, rc.wins());
        assertEquals(2, rc.ties());
        assertEquals(0, rc.losses());
    }

    @Test
    void consistentImprovementIsSignificantAndTheIntervalExcludesZero() {
        int n = 200;
        double[] base = new double[n];
        double[] tuned = new double[n];
        double[] zeros = new double[n];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < n; i++) {
            base[i] = rnd.nextDouble() * 0.8;
            tuned[i] = base[i] + 0.05 + rnd.nextGaussian() * 0.05;
        }
        Comparison c = Comparison.builder().base(result("base", base, zeros)).tuned(result("tuned", tuned, zeros))
                .seed(7).build();
        MetricComparison mc = c.metric(M);
        assertTrue(mc.delta() > 0.04 && mc.delta() < 0.06, "delta " + mc.delta());
        assertTrue(mc.ciLow() > 0 && mc.ciLow() < mc.delta() && mc.ciHigh() > mc.delta(), mc.toString());
        assertTrue(mc.pValue() < 0.001, "p " + mc.pValue());
        assertEquals(1.0 / 10_001, mc.pValue(), 1e-12); // no permutation reaches the observed mean
        assertEquals(n, mc.wins() + mc.ties() + mc.losses());
        // same seed, same numbers; another seed, a slightly different interval
        Comparison again = Comparison.builder().base(result("base", base, zeros)).tuned(result("tuned", tuned, zeros))
                .seed(7).build();
        assertEquals(mc, again.metric(M));
        Comparison other = Comparison.builder().base(result("base", base, zeros)).tuned(result("tuned", tuned, zeros))
                .seed(8).build();
        assertTrue(other.metric(M).ciLow() != mc.ciLow());
    }

    @Test
    void mostChangedQueriesAreOrderedAndCarryTexts() {
        EvaluationResult a = result("base", new double[] {.5, .5, .5, .5, .5}, new double[5]);
        EvaluationResult b = result("tuned", new double[] {.9, .4, .7, .1, .5}, new double[5]);
        Comparison c = Comparison.builder().base(a).tuned(b).topQueries(2).build();
        assertEquals(List.of("q0", "q2"), c.mostImproved().stream().map(QueryChange::queryId).toList());
        assertEquals(List.of("q3", "q1"), c.mostDegraded().stream().map(QueryChange::queryId).toList());
        assertEquals(0.4, c.mostImproved().get(0).delta(), 1e-12);
        assertEquals("text of <q3>", c.mostDegraded().get(0).text());
        MetricComparison mc = c.metric(M);
        assertEquals(2, mc.wins());
        assertEquals(1, mc.ties());
        assertEquals(2, mc.losses());
    }

    @Test
    void refusesDifferentQuerySetsAndBadOptions() {
        EvaluationResult a = result("a", new double[] {.1, .2}, new double[2]);
        EvaluationResult b = result("b", new double[] {.1, .2, .3}, new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Comparison.of(a, b));
        assertTrue(e.getMessage().contains("only in tuned: [q2]"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Comparison.builder().base(a).tuned(a).confidence(1.5).build()).getMessage().contains("confidence"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Comparison.builder().base(a).tuned(a).metrics(List.of(Metric.parse("mrr@10"))).build())
                .getMessage().contains("mrr@10"));
    }
}

package io.bge4j.train.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import io.bge4j.eval.verdict.FinetuneVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which guard {@link VerdictMerge} bounds, and that it searches only when the verdict asks for a merge. */
class VerdictMergeTest {

    /** 20 queries at 0.5, the first 12 moved by {@code delta}. */
    private static EvaluationResult moved(String name, double delta) {
        Map<String, Map<Metric, Double>> pq = new LinkedHashMap<>();
        double sum = 0;
        for (int i = 0; i < 20; i++) {
            double v = 0.5 + (i < 12 ? delta : 0);
            pq.put("q" + i, Map.of(Metric.NDCG_AT_10, v));
            sum += v;
        }
        return new EvaluationResult(name, Metric.NDCG_AT_10, List.of(Metric.NDCG_AT_10),
                Map.of(Metric.NDCG_AT_10, sum / 20), pq, new QueryCounts(20, 0, 0, 0), Map.of(), null);
    }

    private static Comparison change(double delta) {
        return Comparison.of(moved("base", 0), moved("tuned", delta));
    }

    /** Scores every embedder the same and counts its calls. */
    private static Evaluator counting(String name, List<String> calls) {
        return e -> {
            calls.add(name);
            return MergeRatioSearchTest.score(name, 0.5);
        };
    }

    @Test
    void boundsTheGuardThatRegressedMostAndOnlyWhenAMergeIsNeeded() {
        Map<String, Comparison> guards = new LinkedHashMap<>();
        guards.put("slightly", change(-0.1));
        guards.put("badly", change(-0.3));
        guards.put("held", change(0.0));
        FinetuneVerdict v = FinetuneVerdict.of("dev", change(0.2), guards, Metric.NDCG_AT_10);
        assertTrue(v.needsMerge(), v.render());
        List<String> calls = new ArrayList<>();
        try (BgeModel base = TinyModels.bert(List.of("alpha beta"), 1, 0);
                BgeModel tuned = TinyModels.bert(List.of("alpha beta"), 2, 0)) {
            VerdictMerge.Builder b = VerdictMerge.builder().base(base).tuned(tuned).target(counting("target", calls))
                    .ratios(0.5);
            guards.keySet().forEach(g -> b.guard(g, counting(g, calls)));
            VerdictMerge.Measured m = b.build().measure(v).orElseThrow();
            assertEquals("badly", m.guard());
            assertEquals(List.of("target", "badly", "target", "badly", "target", "badly"), calls, "r = 0, 0.5, 1");
            // equal scores everywhere: the tie goes to the smallest tuned weight, the base
            assertEquals(0.0, m.verdict().merge().tunedWeight());
            assertEquals(m.search().toSuggestion(), m.verdict().merge());

            calls.clear();
            FinetuneVerdict held = FinetuneVerdict.of("dev", change(0.2), Map.of("held", change(0.0)),
                    Metric.NDCG_AT_10);
            assertTrue(b.build().measure(held).isEmpty());
            assertTrue(calls.isEmpty(), "no search without a regressed guard");

            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> VerdictMerge.builder()
                    .base(base).tuned(tuned).target(counting("target", calls)).guard("slightly", counting("s", calls))
                    .build().measure(v));
            assertTrue(x.getMessage().contains("guard 'badly' regressed, but no evaluator was given"), x.getMessage());
            assertThrows(IllegalArgumentException.class, () -> VerdictMerge.builder().base(base).tuned(tuned)
                    .target(counting("target", calls)).build(), "a guard is required");
            IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> VerdictMerge.builder()
                    .base(base).tuned(tuned).target(counting("t", calls)).guard("g", counting("g", calls)).ratios(2)
                    .build());
            assertTrue(r.getMessage().contains("ratios must lie in [0, 1]"), r.getMessage());
        }
    }
}

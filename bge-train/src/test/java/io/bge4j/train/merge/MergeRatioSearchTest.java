package io.bge4j.train.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeRatioSearchTest {

    static EvaluationResult score(String name, double v) {
        return new EvaluationResult(name, Metric.NDCG_AT_10, List.of(Metric.NDCG_AT_10), Map.of(Metric.NDCG_AT_10, v),
                Map.of("q", Map.of(Metric.NDCG_AT_10, v)), new QueryCounts(1, 0, 0, 0), Map.of(), null);
    }

    static RatioPoint point(double r, double target, double general) {
        return new RatioPoint(r, score("t", target), score("g", general));
    }

    @Test
    void choosesTheBestTargetWithinTheGeneralBound() {
        List<RatioPoint> pts = List.of(point(0, 0.80, 0.50), point(0.25, 0.84, 0.498), point(0.5, 0.87, 0.492),
                point(0.75, 0.89, 0.485), point(1, 0.90, 0.47));
        // drop allowed 0.01: 0.5 (drop 0.008) qualifies, 0.75 (0.015) does not
        RatioPoint c = MergeRatioSearch.choose(pts, 0.01);
        assertEquals(0.5, c.tunedWeight());
        RatioSearchResult r = new RatioSearchResult(pts, c, 0.01);
        assertEquals((0.87 - 0.80) / (0.90 - 0.80), r.targetGainKept(), 1e-12);
        assertEquals(r.targetGainKept(), r.toSuggestion().gainKept(), 1e-12);
        assertEquals(0.492 - 0.50, r.toSuggestion().generalMerged() - r.toSuggestion().generalBase(), 1e-12);
        // a loose bound picks the tuned model, a zero bound the base
        assertEquals(1.0, MergeRatioSearch.choose(pts, 0.05).tunedWeight());
        assertEquals(0.0, MergeRatioSearch.choose(pts, 0.0).tunedWeight());
        // ties on target go to the higher general score
        List<RatioPoint> tie = List.of(point(0, 0.8, 0.5), point(0.5, 0.9, 0.49), point(1, 0.9, 0.48));
        assertEquals(0.5, MergeRatioSearch.choose(tie, 1).tunedWeight());
        assertTrue(r.table().contains("0.50       0.8700     0.4920   <- chosen"), r.table());
    }

    /** Target = closeness to the tuned model's vector, general = closeness to the base's: both move with r. */
    @Test
    void runMeasuresMergesOnTheGrid() {
        List<String> texts = List.of("alpha beta gamma");
        try (BgeModel base = TinyModels.bert(texts, 1, 0); BgeModel tuned = TinyModels.bert(texts, 2, 0)) {
            float[] vb = vector(base);
            float[] vt = vector(tuned);
            List<Double> seen = new ArrayList<>();
            Evaluator target = e -> score("t", ExampleLoss.cosine(e.encodeCorpus(texts)[0], vt));
            Evaluator general = e -> {
                double c = ExampleLoss.cosine(e.encodeCorpus(texts)[0], vb);
                seen.add(c);
                return score("g", c);
            };
            RatioSearchResult r = MergeRatioSearch.builder().base(base).tuned(tuned).ratios(0.5).target(target)
                    .general(general).maxGeneralDrop(2).build().run();
            assertEquals(List.of(0.0, 0.5, 1.0), r.points().stream().map(RatioPoint::tunedWeight).toList());
            assertEquals(1.0, r.base().general().primaryValue(), 1e-5);
            assertEquals(1.0, r.tuned().target().primaryValue(), 1e-5);
            double mid = r.points().get(1).target().primaryValue();
            assertTrue(mid > r.base().target().primaryValue() && mid < 1 - 1e-6, "merge lies between: " + mid);
            assertEquals(1.0, r.chosen().tunedWeight());
            assertEquals(3, seen.size());
            assertThrows(IllegalArgumentException.class,
                    () -> MergeRatioSearch.builder().base(base).tuned(tuned).target(target).ratios(1.5).build());
            assertThrows(IllegalArgumentException.class, () -> MergeRatioSearch.builder().base(base).build());
        }
    }

    private static float[] vector(BgeModel m) {
        try (Embedder e = m.embedder().build()) {
            return e.encodeCorpus(List.of("alpha beta gamma"))[0];
        }
    }
}

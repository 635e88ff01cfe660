package io.bge4j.eval.verdict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {

    static final Metric M = Metric.NDCG_AT_10;

    static EvaluationResult result(String name, double... perQuery) {
        Map<String, Map<Metric, Double>> pq = new LinkedHashMap<>();
        double s = 0;
        for (int i = 0; i < perQuery.length; i++) {
            pq.put("q" + i, Map.of(M, perQuery[i]));
            s += perQuery[i];
        }
        return new EvaluationResult(name, M, List.of(M), Map.of(M, s / perQuery.length), pq,
                new QueryCounts(perQuery.length, 0, 0, 0), Map.of(), null);
    }

    static double[] constant(int n, double v) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    /** 20 queries: 12 up by 0.2, 2 down by 0.1, 6 unchanged — mean +0.11, every resample's mean positive. */
    static double[] mostlyBetter() {
        double[] x = constant(20, 0.5);
        for (int i = 0; i < 12; i++) {
            x[i] = 0.7;
        }
        x[12] = 0.4;
        x[13] = 0.4;
        return x;
    }

    @Test
    void outcomesFollowTheInterval() {
        EvaluationResult base = result("base", constant(20, 0.5));
        EvaluationResult tuned = result("tuned", mostlyBetter());
        EvaluatorVerdict up = EvaluatorVerdict.of("dev", Comparison.of(base, tuned), M);
        assertEquals(Outcome.IMPROVED, up.outcome());
        assertEquals(12, up.better());
        assertEquals(2, up.worse());
        assertEquals(6, up.unchanged());
        assertEquals(0.11, up.comparison().delta(), 1e-12);
        assertTrue(up.line().startsWith("dev: improved — ndcg@10 0.5000 → 0.6100 (+0.1100, 95% CI ["), up.line());
        assertTrue(up.line().endsWith("12 queries better, 2 worse, 6 unchanged"), up.line());

        EvaluatorVerdict down = EvaluatorVerdict.of("general", Comparison.of(tuned, base), M);
        assertEquals(Outcome.REGRESSED, down.outcome());
        assertEquals(2, down.better());
        assertEquals(12, down.worse());

        double[] mixed = constant(20, 0.5);
        for (int i = 0; i < 20; i++) {
            mixed[i] = i % 2 == 0 ? 0.6 : 0.4;
        }
        EvaluatorVerdict flat = EvaluatorVerdict.of("dev", Comparison.of(base, result("tuned", mixed)), M);
        assertEquals(Outcome.NO_SIGNIFICANT_CHANGE, flat.outcome());
        assertTrue(flat.comparison().ciLow() < 0 && flat.comparison().ciHigh() > 0);
        assertEquals(Outcome.IMPROVED, Outcome.ofInterval(1e-9, 1));
        assertEquals(Outcome.NO_SIGNIFICANT_CHANGE, Outcome.ofInterval(0, 1));
        assertEquals(Outcome.REGRESSED, Outcome.ofInterval(-1, -1e-9));
    }

    @Test
    void mergeIsCalledForWhenTheTargetGainsAndTheGeneralSetLoses() {
        EvaluationResult base = result("base", constant(20, 0.5));
        EvaluationResult better = result("tuned", mostlyBetter());
        Comparison target = Comparison.of(base, better);
        Comparison general = Comparison.of(better.withName("base"), base.withName("tuned"));
        FinetuneVerdict v = FinetuneVerdict.of("dev", target, Map.of("scifact", general), M);
        assertTrue(v.needsMerge());
        assertTrue(v.headline().contains("measure a merge ratio"), v.headline());
        MergeSuggestion s = new MergeSuggestion(0.5, 0.80, 0.90, 0.87, 0.60, 0.595);
        assertEquals(0.7, s.gainKept(), 1e-12); // (0.87 − 0.80) / (0.90 − 0.80)
        FinetuneVerdict merged = v.withMerge(s);
        String text = merged.render();
        assertTrue(text.contains("merge with the base at 0.50 base / 0.50 tuned (measured): target 0.8700 (keeps 70% of"
                + " the gain), general 0.5950 (-0.0050 vs base)"), text);
        assertEquals(3, text.lines().count() - 1, text); // headline, two evaluators, merge line
        assertTrue(merged.headline().endsWith("cost general quality: merge with the base at the measured ratio"),
                merged.headline());
        assertTrue(v.withMerge(new MergeSuggestion(0, 0.80, 0.90, 0.80, 0.60, 0.60)).headline()
                .endsWith("no measured merge kept the general-domain drop within the bound; keep the base"));
        assertTrue(v.withMerge(new MergeSuggestion(1, 0.80, 0.90, 0.90, 0.60, 0.595)).headline()
                .endsWith("within the measured bound; keep the tuned model"));
        assertEquals("measured: no merge with the tuned model beat the base on the target within the general-domain"
                + " bound; keep the base (target 0.8000, tuned 0.9000; general 0.6000)",
                new MergeSuggestion(0, 0.80, 0.90, 0.80, 0.60, 0.60).line());
        assertEquals("measured: the tuned model itself is within the general-domain bound: target 0.9000, general"
                + " 0.5950 (-0.0050 vs base); keep the tuned model",
                new MergeSuggestion(1, 0.80, 0.90, 0.90, 0.60, 0.595).line());
        FinetuneVerdict noGuardLoss = FinetuneVerdict.of("dev", target, Map.of("scifact", Comparison.of(base, base)), M);
        assertFalse(noGuardLoss.needsMerge());
        assertTrue(noGuardLoss.headline().startsWith("fine-tuning helped: keep the tuned model"));
        assertThrows(IllegalArgumentException.class, () -> new MergeSuggestion(1.5, 0, 0, 0, 0, 0));
    }

    @Test
    void holmAdjustmentHandComputed() {
        // sorted 0.01, 0.03, 0.04 → 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06
        assertArrayEquals(new double[] {0.03, 0.06, 0.06}, ModelRanking.holm(new double[] {0.01, 0.04, 0.03}), 1e-12);
        assertArrayEquals(new double[] {1, 1}, ModelRanking.holm(new double[] {0.6, 0.9}), 1e-12);
    }

    @Test
    void rankingNamesTheBestAndSaysWhetherItsLeadIsSignificant() {
        EvaluationResult a = result("a", constant(20, 0.5));
        EvaluationResult b = result("b", mostlyBetter());
        double[] c = mostlyBetter();
        c[14] = 0.6; // b's twin with one more query up
        EvaluationResult cc = result("c", c);
        ModelRanking r = ModelRanking.of(List.of(a, b, cc), M, 42);
        assertEquals(List.of("c", "b", "a"), r.ranked().stream().map(EvaluationResult::name).toList());
        assertEquals(3, r.pairs().size());
        assertEquals("c", r.bestVsRunnerUp().first());
        assertEquals("b", r.bestVsRunnerUp().second());
        assertEquals(0.005, r.bestVsRunnerUp().comparison().delta(), 1e-12);
        assertFalse(r.bestIsSignificantlyBetter(), "one query of twenty is no evidence");
        assertTrue(r.verdict().startsWith("best: c by mean ndcg@10, but not significantly better than the runner-up b"),
                r.verdict());
        ModelRanking two = ModelRanking.of(List.of(a, b), M, 42);
        assertTrue(two.bestIsSignificantlyBetter());
        assertTrue(two.verdict().startsWith("best: b — significantly better than the runner-up a"), two.verdict());
        assertTrue(r.pairTable().contains("c − a: +0.1150"), r.pairTable());
        assertThrows(IllegalArgumentException.class, () -> ModelRanking.of(List.of(a), M, 1));
        assertThrows(IllegalArgumentException.class, () -> ModelRanking.of(List.of(a, a), M, 1));
    }

    @Test
    void meanIntervalOfConstantsAndOfTwoValues() {
        MeanInterval c = MeanInterval.of(result("r", constant(30, 0.7)), M, 500, 1, 0.95);
        assertEquals(0.7, c.mean(), 1e-12);
        assertEquals(0.7, c.low(), 1e-12);
        assertEquals(0.7, c.high(), 1e-12);
        // half 0, half 1 over 400 queries: mean 0.5, bootstrap sd ≈ sqrt(0.25/400) = 0.025, 95% ≈ ±0.049
        double[] x = new double[400];
        for (int i = 0; i < 200; i++) {
            x[i] = 1;
        }
        MeanInterval b = MeanInterval.of(x, 4000, 7, 0.95);
        assertEquals(0.5, b.mean(), 1e-12);
        assertEquals(0.451, b.low(), 0.01);
        assertEquals(0.549, b.high(), 0.01);
        assertEquals("0.5000 [" + String.format(java.util.Locale.ROOT, "%.4f", b.low()), b.toString().substring(0, 14));
    }
}

package io.bge4j.train.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.data.ModelSize;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.train.report.OutputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic measurements in, advice out: every conclusion must follow from the numbers fed in. */
class AdviceRulesTest {

    private static final double BASE = 0.80;
    private static final LossTrend PLATEAU = LossTrend.of(List.of(4.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
    private static final LossTrend FALLING = LossTrend.of(List.of(10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0));

    private static MetricComparison gain(double delta, double low, double high) {
        return new MetricComparison(Metric.NDCG_AT_10, BASE, BASE + delta, delta, low, high, 0.01, 10, 5, 3);
    }

    private static AdviceRun run(NegativeStrategy s, double f, int n, double delta, double halfWidth, LossTrend loss) {
        return new AdviceRun(s, f, n, n / 4, gain(delta, delta - halfWidth, delta + halfWidth), loss, 1.0);
    }

    private static List<AdviceRun> curve(double g25, double g50, double g100, double halfWidth, LossTrend loss) {
        return List.of(run(NegativeStrategy.HARD, 0.25, 100, g25, halfWidth, loss),
                run(NegativeStrategy.HARD, 0.5, 200, g50, halfWidth, loss),
                run(NegativeStrategy.HARD, 1.0, 400, g100, halfWidth, loss));
    }

    private static AdviceReport report(List<AdviceRun> curve, List<AdviceRun> negatives, MetricComparison pair) {
        return AdviceReport.of("tiny", ModelSize.SMALL, Metric.NDCG_AT_10, BASE, 400, 60, "B=16", NegativeStrategy.HARD,
                curve, negatives, pair, 12.0);
    }

    private static String find(List<String> advice, String prefix) {
        return advice.stream().filter(a -> a.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no sentence starting with '" + prefix + "' in " + advice));
    }

    @Test
    void aRisingCurveSaysMoreDataHelpsByTheMeasuredAmountAndKeepsTheModelSize() {
        AdviceReport r = report(curve(0.01, 0.02, 0.03, 0.002, PLATEAU), List.of(), null);
        assertEquals(0.01, r.fit().slopePerDoubling(), 1e-12);
        String more = find(r.advice(), "more data still helps: ");
        assertTrue(more.startsWith("more data still helps: +0.0100 ndcg@10 per doubling of the training set (95 % CI"),
                more);
        assertEquals(ModelSize.SMALL, r.modelSize().recommended());
        assertNull(r.modelSize().alsoWorthTrying(), "a rising curve says: data first, not a larger model");
        assertTrue(r.modelSize().reasons().get(0).startsWith("400 training examples"), r.modelSize().reasons().toString());
        assertTrue(r.modelSize().reasons().get(1).contains("+0.0100 per doubling"), r.modelSize().reasons().toString());
        assertTrue(r.advice().get(r.advice().size() - 1).startsWith("change first: more training data (+0.0100"));
        assertTrue(find(r.advice(), "at 25 % of the data").endsWith(": significant"));
    }

    @Test
    void aFlatCurveWhoseIntervalCrossesZeroDoesNotSayMoreDataHelps() {
        // slope -0.0005 per doubling; intervals of ±0.015 per point make the slope's interval cross 0
        AdviceReport r = report(curve(0.020, 0.021, 0.019, 0.015, PLATEAU), List.of(), null);
        assertEquals(-0.0005, r.fit().slopePerDoubling(), 1e-12);
        assertTrue(r.fit().ciLow() < 0 && r.fit().ciHigh() > 0);
        assertTrue(r.advice().stream().noneMatch(a -> a.startsWith("more data still helps")), r.advice().toString());
        assertTrue(find(r.advice(), "no measurable gain from more data: -0.0005 ndcg@10 per doubling").contains("includes 0"));
        assertTrue(find(r.advice(), "at 25 % of the data (100 examples, 25 steps)").endsWith(": significant"));
        // flat curve + plateaued loss: the next size is worth measuring, and the reasons say why
        assertEquals(ModelSize.SMALL, r.modelSize().recommended());
        assertEquals(ModelSize.BASE, r.modelSize().alsoWorthTrying());
        String reasons = String.join("; ", r.modelSize().reasons());
        assertTrue(reasons.contains("-0.0005 per doubling") && reasons.contains("plateaued at step 5 of 10"), reasons);
        assertTrue(find(r.advice(), "loss plateaued at step 5 of 10").contains("more epochs on the same data will not help"));
        assertTrue(find(r.advice(), "change first: ").contains("larger model"));
    }

    @Test
    void aGainWhoseIntervalIncludesZeroIsCalledNotSignificant() {
        AdviceReport r = report(curve(0.004, 0.02, 0.03, 0.006, PLATEAU), List.of(), null);
        assertTrue(find(r.advice(), "at 25 % of the data").endsWith("95 % CI [-0.0020, +0.0100]: not significant"),
                r.advice().toString());
    }

    @Test
    void aFlatCurveWithAStillFallingLossSaysTrainLongerBeforeChangingSize() {
        AdviceReport r = report(curve(0.020, 0.021, 0.019, 0.015, FALLING), List.of(), null);
        assertNull(r.modelSize().alsoWorthTrying());
        assertTrue(String.join("; ", r.modelSize().reasons()).contains("still falling at step 10"));
        assertTrue(find(r.advice(), "loss was still falling in the last 2 of 10 steps").contains("another epoch"));
        assertEquals("change first: more epochs (the loss was still falling at the last step)",
                r.advice().get(r.advice().size() - 1));
    }

    @Test
    void theNegativesComparisonReportsWhetherBestMinusRunnerUpIsSignificant() {
        List<AdviceRun> neg = List.of(run(NegativeStrategy.IN_BATCH, 0.5, 200, 0.030, 0.01, PLATEAU),
                run(NegativeStrategy.RANDOM, 0.5, 200, 0.054, 0.01, PLATEAU),
                run(NegativeStrategy.HARD, 0.5, 200, 0.057, 0.01, PLATEAU));
        MetricComparison notSig = new MetricComparison(Metric.NDCG_AT_10, BASE + 0.054, BASE + 0.057, 0.003, -0.006,
                0.013, 0.5, 20, 20, 20);
        AdviceReport r = report(curve(0.020, 0.021, 0.019, 0.015, PLATEAU), neg, notSig);
        assertEquals("hard", r.bestVsRunnerUp().first());
        assertEquals("random", r.bestVsRunnerUp().second());
        assertFalse(r.bestVsRunnerUp().significant());
        assertTrue(find(r.advice(), "hard negatives minus random corpus negatives is +0.0030 ndcg@10, 95 % CI"
                + " [-0.0060, +0.0130]: not significant").contains("cannot tell them apart"));
        assertTrue(find(r.advice(), "negatives at 50 % of the data: hard negatives +0.0570")
                .contains("random corpus negatives +0.0540"));

        MetricComparison sig = new MetricComparison(Metric.NDCG_AT_10, BASE + 0.054, BASE + 0.057, 0.003, 0.001,
                0.005, 0.01, 30, 20, 10);
        AdviceReport s = report(curve(0.020, 0.021, 0.019, 0.015, PLATEAU), neg, sig);
        assertTrue(s.bestVsRunnerUp().significant());
        assertTrue(find(s.advice(), "hard negatives minus random").endsWith(": significant, so train with hard negatives"));
    }

    @Test
    void twoStrategiesThatScoreTheSameOnEveryQueryAreCalledIdenticalNotInsignificant() {
        List<AdviceRun> neg = List.of(run(NegativeStrategy.HARD, 0.5, 200, 0.0149, 0.01, PLATEAU),
                run(NegativeStrategy.HARD_MARGIN, 0.5, 200, 0.0149, 0.01, PLATEAU));
        MetricComparison same = new MetricComparison(Metric.NDCG_AT_10, BASE + 0.0149, BASE + 0.0149, 0, 0, 0, 1.0,
                0, 100, 0);
        AdviceReport r = report(curve(0.020, 0.021, 0.019, 0.015, PLATEAU), neg, same);
        assertTrue(find(r.advice(), "hard negatives and hard negatives with a false-negative margin scored the same"
                + " ndcg@10 on every one of the 100 dev queries").contains("identical"), r.advice().toString());
        assertTrue(r.advice().stream().noneMatch(a -> a.contains("cannot tell them apart")), r.advice().toString());
    }

    @Test
    void aSignificantlyBetterStrategyThanTheCurvesIsWhatToChangeFirstWhenTheCurveIsFlat() {
        List<AdviceRun> neg = List.of(run(NegativeStrategy.HARD, 0.5, 200, 0.02, 0.005, PLATEAU),
                run(NegativeStrategy.HARD_MARGIN, 0.5, 200, 0.04, 0.005, PLATEAU));
        MetricComparison sig = new MetricComparison(Metric.NDCG_AT_10, BASE + 0.02, BASE + 0.04, 0.02, 0.01, 0.03,
                0.001, 30, 20, 10);
        AdviceReport r = report(curve(0.020, 0.021, 0.019, 0.015, PLATEAU), neg, sig);
        assertTrue(r.advice().get(r.advice().size() - 1).startsWith("change first: train with hard-margin negatives"
                + " (+0.0200 ndcg@10 over hard, significant)"), r.advice().toString());
    }

    @Test
    void theReportRendersAndWritesWithoutReplacingAForeignFile(@TempDir Path dir) throws Exception {
        AdviceReport r = report(curve(0.01, 0.02, 0.03, 0.002, PLATEAU), List.of(), null);
        assertTrue(r.text().contains("learning curve (hard negatives)"), r.text());
        assertTrue(r.text().contains("25 %"), r.text());
        List<OutputFile> first = r.write(dir);
        assertTrue(first.stream().allMatch(f -> f.status() == OutputFile.Status.WRITTEN), first.toString());
        JsonNode j = new ObjectMapper().readTree(Files.readString(dir.resolve(AdviceReport.JSON_FILE)));
        assertEquals(0.01, j.get("fit").get("slope_per_doubling").asDouble(), 1e-12);
        assertEquals(3, j.get("curve").size());
        assertEquals(0.03, j.get("curve").get(2).get("delta").asDouble(), 1e-12);
        assertTrue(r.write(dir).stream().allMatch(f -> f.status() == OutputFile.Status.REPLACED), "ours are replaced");
        Files.writeString(dir.resolve(AdviceReport.MARKDOWN_FILE), "my own notes\n");
        List<OutputFile> third = r.write(dir);
        assertEquals(OutputFile.Status.SKIPPED, third.get(0).status());
        assertEquals("my own notes\n", Files.readString(dir.resolve(AdviceReport.MARKDOWN_FILE)));
        assertEquals(OutputFile.Status.REPLACED, third.get(1).status());
    }
}

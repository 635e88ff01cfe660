package io.bge4j.train.report;

import static io.bge4j.train.report.TrainingReportTest.PAIRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import io.bge4j.eval.verdict.Outcome;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.merge.MergeRatioSearch;
import io.bge4j.train.merge.RatioPoint;
import io.bge4j.train.merge.RatioSearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's merge search ({@code Finetuner.Builder.mergeSearch}): with a target that improves and a guard that
 * regresses, the verdict carries the ratio a {@link MergeRatioSearch} run by hand on the same base weights and the
 * same best model chooses, with the same numbers; without a regression, with the option off or without a guard
 * there is no search.
 *
 * <p>The evaluators are deterministic functions of the embeddings, so that training is sure to move them: the target
 * scores each training query by its cosine distance from the base model's embedding of it (the base scores 0, any
 * change scores more: improved), the guard by its cosine similarity to it (the base scores 1, any change less:
 * regressed).
 */
class MergeSearchVerdictTest {

    private static final List<String> TEXTS = new ArrayList<>();

    static {
        for (String[] p : PAIRS) {
            TEXTS.add(p[0]);
        }
    }

    private static BgeModel base() {
        return TinyModels.bert(CardIntervalsAndVerdictTest.vocab(), 1, 0.0);
    }

    private static float[][] vectors(BgeModel m) {
        try (Embedder e = m.embedder().batchSize(32).build()) {
            return e.encodeCorpus(TEXTS);
        }
    }

    /** Per query, {@code f(cos(embedding, base embedding))}, as nDCG@10 (the trainer's primary metric). */
    private static Evaluator closeness(String name, float[][] base, Function<Double, Double> f) {
        return new Evaluator() {
            @Override
            public EvaluationResult evaluate(Embedder e) {
                float[][] v = e.encodeCorpus(TEXTS);
                Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
                double sum = 0;
                for (int i = 0; i < v.length; i++) {
                    double s = f.apply(cosine(v[i], base[i]));
                    perQuery.put("q" + i, Map.of(Metric.NDCG_AT_10, s));
                    sum += s;
                }
                return new EvaluationResult(name, Metric.NDCG_AT_10, List.of(Metric.NDCG_AT_10),
                        Map.of(Metric.NDCG_AT_10, sum / v.length), perQuery, new QueryCounts(v.length, 0, 0, 0),
                        Map.of(), null);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * (double) b[i];
            na += a[i] * (double) a[i];
            nb += b[i] * (double) b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static Finetuner.Builder run(BgeModel m, Evaluator target) {
        return Finetuner.builder().model(m).trainingSet(CardIntervalsAndVerdictTest.train()).batchSize(4)
                .groupSize(2).temperature(0.05).learningRate(3e-3).maxSteps(6).seed(7).evaluateEvery(3)
                .evaluator(target, Metric.NDCG_AT_10);
    }

    private static void closeBest(FinetuneResult r) {
        if (r.bestModel() != r.finalModel()) {
            r.bestModel().close();
        }
    }

    @Test
    void aRegressedGuardGetsTheMergeRatioAHandRunSearchMeasures(@TempDir Path dir) throws Exception {
        float[][] vb;
        try (BgeModel same = base()) {
            vb = vectors(same);
        }
        Evaluator target = closeness("target", vb, c -> 1 - c);
        Evaluator guard = closeness("guard", vb, c -> c);
        double[] ratios = {0.1, 0.3, 0.6};
        double bound = 0.002;
        try (BgeModel m = base()) {
            FinetuneResult r = run(m, target).guardEvaluator(guard).mergeRatios(ratios).maxGeneralDrop(bound)
                    .outputDir(dir).build().fit();
            try {
                FinetuneVerdict v = r.verdict().orElseThrow();
                assertEquals(Outcome.IMPROVED, v.target().outcome(), v.render());
                assertEquals(Outcome.REGRESSED, v.others().get(0).outcome(), v.render());
                assertTrue(v.needsMerge());
                MergeSuggestion got = v.optionalMerge().orElseThrow();

                RatioSearchResult byHand;
                try (BgeModel b = base()) { // the base weights as they were when fit() started
                    byHand = MergeRatioSearch.builder().base(b).tuned(r.bestModel()).ratios(ratios).target(target)
                            .general(guard).maxGeneralDrop(bound)
                            .embedders(x -> x.embedder().batchSize(32).maxLength(128).build()).build().run();
                }
                MergeSuggestion want = byHand.toSuggestion();
                assertEquals(want.tunedWeight(), got.tunedWeight(), 0.0, byHand.table());
                assertEquals(want.targetBase(), got.targetBase(), 1e-6);
                assertEquals(want.targetTuned(), got.targetTuned(), 1e-6);
                assertEquals(want.targetMerged(), got.targetMerged(), 1e-6);
                assertEquals(want.generalBase(), got.generalBase(), 1e-6);
                assertEquals(want.generalMerged(), got.generalMerged(), 1e-6);
                RatioSearchResult measured = r.mergeSearch().orElseThrow().search();
                assertEquals(List.of(0.0, 0.1, 0.3, 0.6, 1.0),
                        measured.points().stream().map(RatioPoint::tunedWeight).toList());
                for (int i = 0; i < measured.points().size(); i++) {
                    assertEquals(byHand.points().get(i).target().primaryValue(),
                            measured.points().get(i).target().primaryValue(), 1e-6, "target at point " + i);
                    assertEquals(byHand.points().get(i).general().primaryValue(),
                            measured.points().get(i).general().primaryValue(), 1e-6, "guard at point " + i);
                }
                assertEquals("guard", r.mergeSearch().get().guard());
                // the base point is the base itself: distance 0 from its own embeddings, similarity 1
                assertEquals(0.0, got.targetBase(), 1e-6);
                assertEquals(1.0, got.generalBase(), 1e-6);
                assertTrue(r.diagnostics().stream().anyMatch(d -> d.code().equals("MERGE_SEARCH")),
                        r.diagnostics().toString());

                String md = Files.readString(dir.resolve(VerdictReport.MARKDOWN));
                assertTrue(md.contains(got.line()), md);
                assertTrue(Files.readString(dir.resolve(VerdictReport.JSON)).contains("\"tuned_weight\""));
                // the bound lets the guard lose 0.002: the whole fine-tune loses about 0.04, so a merge is chosen
                double w = got.tunedWeight();
                assertTrue(w > 0 && w < 1, byHand.table());
                assertTrue(md.contains(String.format(java.util.Locale.ROOT, "--weight %.2f --model %s --weight %.2f"
                        + " --output %s", 1 - w, dir.resolve("best"), w, dir.resolve("merged"))), md);
                assertTrue(md.contains("use the measured weights"), md);
            } finally {
                closeBest(r);
            }
        }
    }

    @Test
    void noSearchWhenTheGuardHeldOrTheOptionIsOff() {
        float[][] vb;
        try (BgeModel same = base()) {
            vb = vectors(same);
        }
        Evaluator target = closeness("target", vb, c -> 1 - c);
        Evaluator steady = closeness("steady", vb, c -> 0.5); // the same on every model: no significant change
        try (BgeModel m = base()) {
            FinetuneResult r = run(m, target).guardEvaluator(steady).build().fit();
            try {
                FinetuneVerdict v = r.verdict().orElseThrow();
                assertEquals(Outcome.IMPROVED, v.target().outcome());
                assertFalse(v.needsMerge());
                assertTrue(r.mergeSearch().isEmpty());
                assertNull(v.merge());
            } finally {
                closeBest(r);
            }
        }
        Evaluator guard = closeness("guard", vb, c -> c);
        try (BgeModel m = base()) {
            FinetuneResult r = run(m, target).guardEvaluator(guard).mergeSearch(false).build().fit();
            try {
                FinetuneVerdict v = r.verdict().orElseThrow();
                assertTrue(v.needsMerge(), v.render());
                assertTrue(r.mergeSearch().isEmpty());
                assertNull(v.merge());
                assertTrue(r.diagnostics().stream().noneMatch(d -> d.code().equals("MERGE_SEARCH")));
            } finally {
                closeBest(r);
            }
        }
    }

    @Test
    void theOptionDefaultsToTheGuardsAndIsValidated() {
        Evaluator e = closeness("e", new float[0][], c -> c);
        assertFalse(Finetuner.builder().evaluator(e, Metric.NDCG_AT_10).build().config().mergeSearch());
        assertTrue(Finetuner.builder().evaluator(e, Metric.NDCG_AT_10).guardEvaluator(e).build().config()
                .mergeSearch());
        assertFalse(Finetuner.builder().evaluator(e, Metric.NDCG_AT_10).guardEvaluator(e).mergeSearch(false).build()
                .config().mergeSearch());
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), Finetuner.builder().build().config().mergeRatios());
        assertEquals(0.01, Finetuner.builder().build().config().maxGeneralDrop());
        rejects(Finetuner.builder().evaluator(e, Metric.NDCG_AT_10).mergeSearch(true), "mergeSearch needs a guard");
        rejects(Finetuner.builder().mergeRatios(0.5, 0.25), "mergeRatios must be ascending");
        rejects(Finetuner.builder().mergeRatios(0.5, 0.5), "mergeRatios must be ascending");
        rejects(Finetuner.builder().mergeRatios(0.5, 1.5), "mergeRatios must lie in [0, 1], got 1.5");
        rejects(Finetuner.builder().mergeRatios(Double.NaN), "mergeRatios must lie in [0, 1], got NaN");
        rejects(Finetuner.builder().mergeRatios(), "mergeRatios must not be empty");
        rejects(Finetuner.builder().maxGeneralDrop(-0.01), "maxGeneralDrop must be a finite value >= 0");
        rejects(Finetuner.builder().maxGeneralDrop(Double.POSITIVE_INFINITY), "maxGeneralDrop must be");
    }

    private static void rejects(Finetuner.Builder b, String message) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(x.getMessage().contains(message), x.getMessage());
    }
}

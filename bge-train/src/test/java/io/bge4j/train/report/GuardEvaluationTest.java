package io.bge4j.train.report;

import static io.bge4j.train.report.TrainingReportTest.PAIRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.verdict.EvaluatorVerdict;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.GuardEvaluation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A guard evaluator is measured on the base before training and on the best model after it; its results equal
 * evaluations done by hand on the same weights, and the verdict carries its paired interval next to the target's.
 */
class GuardEvaluationTest {

    /** The training queries against their positives in reverse roles: another "domain" for the tiny model. */
    static RetrievalEvaluator guard() {
        List<CorpusDocument> docs = new ArrayList<>();
        Map<String, String> queries = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        for (int i = 0; i < PAIRS.length; i++) {
            docs.add(new CorpusDocument("g" + i, "", PAIRS[i][0]));
            queries.put("p" + i, PAIRS[i][1]);
            judged.put("p" + i, Map.of("g" + i, 1));
        }
        return RetrievalEvaluator.builder().name("tiny-guard").queries(Queries.of(queries)).corpus(Corpus.of(docs))
                .qrels(Qrels.of(judged)).metrics(Metric.allAt(List.of(1, 10))).build();
    }

    private static EvaluationResult byHand(BgeModel m) {
        try (Embedder e = m.embedder().batchSize(32).build()) {
            return guard().evaluate(e);
        }
    }

    @Test
    void guardsAreMeasuredOnTheBaseAndTheBestModelAndReachTheVerdict() {
        EvaluationResult baseByHand;
        try (BgeModel same = TinyModels.bert(CardIntervalsAndVerdictTest.vocab(), 1, 0.0)) {
            baseByHand = byHand(same);
        }
        try (BgeModel m = TinyModels.bert(CardIntervalsAndVerdictTest.vocab(), 1, 0.0)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(CardIntervalsAndVerdictTest.train()).batchSize(4)
                    .groupSize(2).temperature(0.05).learningRate(3e-3).maxSteps(9).seed(7)
                    .evaluator(CardIntervalsAndVerdictTest.dev(), Metric.NDCG_AT_10).evaluateEvery(3)
                    .guardEvaluator(guard()).build().fit();
            try {
                assertEquals(1, r.guards().size());
                GuardEvaluation g = r.guards().get(0);
                assertEquals("tiny-guard", g.name());
                assertEquals(baseByHand.perQuery().keySet(), g.base().perQuery().keySet());
                for (String q : baseByHand.perQuery().keySet()) {
                    assertEquals(baseByHand.perQuery().get(q).get(Metric.NDCG_AT_10),
                            g.base().perQuery().get(q).get(Metric.NDCG_AT_10), 1e-6, "base, query " + q);
                }
                EvaluationResult bestByHand = byHand(r.bestModel());
                assertEquals(bestByHand.mean(Metric.NDCG_AT_10), g.tuned().mean(Metric.NDCG_AT_10), 1e-6);
                assertTrue(Math.abs(g.tuned().mean(Metric.NDCG_AT_10) - g.base().mean(Metric.NDCG_AT_10)) > 1e-9
                        || g.tuned().mean(Metric.NDCG_AT_10) == 1.0, "training should move the guard's scores");

                EvaluatorVerdict v = r.verdict().orElseThrow().others().get(0);
                assertEquals("tiny-guard", v.evaluator());
                double[] ci = CardIntervalsAndVerdictTest.bootstrap(g.base(), g.tuned(), Metric.NDCG_AT_10);
                assertEquals(ci[0], v.comparison().ciLow(), 1e-12);
                assertEquals(ci[1], v.comparison().ciHigh(), 1e-12);
                int[] bw = CardIntervalsAndVerdictTest.betterWorse(g.base(), g.tuned(), Metric.NDCG_AT_10);
                assertEquals(bw[0], v.better());
                assertEquals(bw[1], v.worse());
                assertTrue(r.diagnostics().stream().anyMatch(d -> d.code().equals("GUARD_EVALUATION")
                        && d.message().contains("tiny-guard")), r.diagnostics().toString());
            } finally {
                if (r.bestModel() != r.finalModel()) {
                    r.bestModel().close();
                }
            }
        }
    }

    @Test
    void aGuardNeedsATargetEvaluator() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Finetuner.builder().guardEvaluator(guard()).build());
        assertTrue(e.getMessage().contains("guardEvaluator") && e.getMessage().contains("needs an evaluator"),
                e.getMessage());
    }
}

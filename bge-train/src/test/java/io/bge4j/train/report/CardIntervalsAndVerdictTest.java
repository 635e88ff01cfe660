package io.bge4j.train.report;

import static io.bge4j.train.report.TrainingReportTest.DEV_DISTRACTORS;
import static io.bge4j.train.report.TrainingReportTest.DEV_QUERIES;
import static io.bge4j.train.report.TrainingReportTest.NEGATIVES;
import static io.bge4j.train.report.TrainingReportTest.PAIRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.verdict.Outcome;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fit() keeps the per-query scores of the base, best and latest evaluations, and the model cards it writes show
 * base vs tuned with the paired-bootstrap interval recomputed here, independently, from those per-query scores;
 * the verdict files carry the same numbers.
 */
class CardIntervalsAndVerdictTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static RetrievalEvaluator dev() {
        List<CorpusDocument> devDocs = new ArrayList<>();
        Map<String, String> queries = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        for (int i = 0; i < PAIRS.length; i++) {
            devDocs.add(new CorpusDocument("d" + i, "", PAIRS[i][1]));
            queries.put("q" + i, DEV_QUERIES[i]);
            judged.put("q" + i, Map.of("d" + i, 1));
        }
        for (int i = 0; i < DEV_DISTRACTORS.length; i++) {
            devDocs.add(new CorpusDocument("x" + i, "", DEV_DISTRACTORS[i]));
        }
        return RetrievalEvaluator.builder().name("tiny-dev").queries(Queries.of(queries)).corpus(Corpus.of(devDocs))
                .qrels(Qrels.of(judged)).metrics(Metric.allAt(List.of(1, 10))).build();
    }

    static List<String> vocab() {
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            vocab.addAll(List.of(PAIRS[i]));
            vocab.addAll(List.of(NEGATIVES[i]));
        }
        vocab.addAll(List.of(DEV_QUERIES));
        vocab.addAll(List.of(DEV_DISTRACTORS));
        return vocab;
    }

    static TrainingSet train() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            ex.add(TrainingExample.of(PAIRS[i][0], List.of(PAIRS[i][1]), List.of(NEGATIVES[i])));
        }
        return TrainingSet.of("tiny-train", ex);
    }

    /** The percentile interval of 2,000 paired resamples, seed 42, written out from the definition. */
    static double[] bootstrap(EvaluationResult base, EvaluationResult tuned, Metric m) {
        List<String> ids = new ArrayList<>(base.perQuery().keySet());
        int n = ids.size();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = tuned.perQuery().get(ids.get(i)).get(m) - base.perQuery().get(ids.get(i)).get(m);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        double[] means = new double[2000];
        for (int s = 0; s < means.length; s++) {
            double t = 0;
            for (int i = 0; i < n; i++) {
                t += d[rnd.nextInt(n)];
            }
            means[s] = t / n;
        }
        Arrays.sort(means);
        return new double[] {q(means, 0.025), q(means, 0.975)};
    }

    private static double q(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    static int[] betterWorse(EvaluationResult base, EvaluationResult tuned, Metric m) {
        int better = 0;
        int worse = 0;
        for (String id : base.perQuery().keySet()) {
            double d = tuned.perQuery().get(id).get(m) - base.perQuery().get(id).get(m);
            better += d > 1e-12 ? 1 : 0;
            worse += d < -1e-12 ? 1 : 0;
        }
        return new int[] {better, worse};
    }

    static String row(EvaluationResult base, EvaluationResult tuned, double[] ci) {
        double b = base.mean(Metric.NDCG_AT_10);
        double t = tuned.mean(Metric.NDCG_AT_10);
        return String.format(Locale.ROOT, "| **ndcg@10** | %.4f | %.4f | %+.4f | [%+.4f, %+.4f] |", b, t, t - b, ci[0],
                ci[1]);
    }

    @Test
    void cardsShowTheIntervalOfThePerQueryScoresAndTheVerdictIsWritten(@TempDir Path out) throws Exception {
        FinetuneResult r;
        try (BgeModel m = TinyModels.bert(vocab(), 1, 0.0)) {
            r = Finetuner.builder().model(m).trainingSet(train()).batchSize(4).groupSize(2).temperature(0.05)
                    .learningRate(3e-3).maxSteps(12).seed(7).evaluator(dev(), Metric.NDCG_AT_10).evaluateEvery(3)
                    .outputDir(out).build().fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
        }
        List<EvaluationRecord> evals = r.evaluations();
        assertEquals(List.of(0L, 3L, 6L, 9L, 12L), evals.stream().map(EvaluationRecord::step).toList());
        EvaluationRecord best = r.bestEvaluation().orElseThrow();
        EvaluationRecord base = r.baseEvaluation().orElseThrow();
        EvaluationRecord last = r.finalEvaluation().orElseThrow();
        assertEquals(12, last.step());
        for (EvaluationRecord e : evals) {
            boolean kept = e.step() == 0 || e == best || e == last;
            assertEquals(kept, e.result() != null, "per-query scores kept for base, best and latest only: " + e);
        }
        assertEquals(PAIRS.length, base.result().perQuery().size());
        assertEquals(base.primaryValue(), base.result().mean(Metric.NDCG_AT_10), 1e-12);

        // best/README.md: base vs best, with the interval recomputed here from the per-query scores
        double[] ciBest = bootstrap(base.result(), best.result(), Metric.NDCG_AT_10);
        String bestCard = Files.readString(out.resolve("best/README.md"));
        assertTrue(bestCard.contains(row(base.result(), best.result(), ciBest)), bestCard);
        assertTrue(bestCard.contains("Intervals: 95 % paired bootstrap over queries"), bestCard);
        Provenance bp = Provenance.read(out.resolve("best/provenance.json"));
        assertEquals(0.95, bp.evaluation().confidence());
        assertEquals(Long.valueOf(PAIRS.length), bp.evaluation().queries());
        MetricChange primary = bp.evaluation().metrics().stream()
                .filter(c -> c.metric().equals("ndcg@10")).findFirst().orElseThrow();
        assertEquals(ciBest[0], primary.ciLow(), 1e-12);
        assertEquals(ciBest[1], primary.ciHigh(), 1e-12);
        assertNotNull(primary.pValue());
        assertTrue(primary.pValue() > 0 && primary.pValue() <= 1);

        // final/README.md: base vs the evaluation of the final weights (step 12), not the best one
        double[] ciFinal = bootstrap(base.result(), last.result(), Metric.NDCG_AT_10);
        String finalCard = Files.readString(out.resolve("final/README.md"));
        assertTrue(finalCard.contains(row(base.result(), last.result(), ciFinal)), finalCard);

        // verdict.md / verdict.json: the best model's verdict with the same numbers
        JsonNode v = JSON.readTree(out.resolve(VerdictReport.JSON).toFile());
        assertEquals(VerdictReport.SCHEMA, v.get("schema").asText());
        JsonNode target = v.get("evaluators").get(0);
        assertEquals("tiny-dev", target.get("evaluator").asText());
        assertEquals(ciBest[0], target.get("ci_low").asDouble(), 1e-12);
        assertEquals(ciBest[1], target.get("ci_high").asDouble(), 1e-12);
        assertEquals(Outcome.ofInterval(ciBest[0], ciBest[1]).name(), target.get("outcome").asText());
        int[] bw = betterWorse(base.result(), best.result(), Metric.NDCG_AT_10);
        assertEquals(bw[0], target.get("better").asInt());
        assertEquals(bw[1], target.get("worse").asInt());
        assertEquals(PAIRS.length - bw[0] - bw[1], target.get("unchanged").asInt());
        assertEquals(r.verdict().orElseThrow().headline(), v.get("headline").asText());
        String md = Files.readString(out.resolve(VerdictReport.MARKDOWN));
        assertTrue(md.startsWith(VerdictReport.MARKER), md);
        assertTrue(md.contains(String.format(Locale.ROOT, "| tiny-dev | %s | ndcg@10 |",
                Outcome.ofInterval(ciBest[0], ciBest[1]).label())), md);
        assertTrue(md.contains(String.format(Locale.ROOT, "[%+.4f, %+.4f]", ciBest[0], ciBest[1])), md);
        assertTrue(md.contains("Next step:"), md);
    }

    /** The tiny dev set's result with its per-query scores dropped, as an evaluator reporting means only gives. */
    static EvaluationResult meansOnly(io.bge4j.core.Embedder e) {
        EvaluationResult r = dev().evaluate(e);
        return new EvaluationResult(r.name(), r.primary(), r.metrics(), r.mean(), Map.of(), r.counts(), Map.of(), null);
    }

    @Test
    void withoutPerQueryScoresTheCardKeepsMeansOnlyAndNoVerdictIsWritten(@TempDir Path out) throws Exception {
        // an earlier run's verdict (bge4j's) must not stand for this run; a user's verdict.json stays
        VerdictReport.write(out, VerdictReportTest.aVerdict(), null);
        Files.writeString(out.resolve(VerdictReport.JSON), "{\"mine\": true}");
        try (BgeModel m = TinyModels.bert(vocab(), 1, 0.0)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(train()).batchSize(4).groupSize(2)
                    .maxSteps(2).seed(7).evaluator(CardIntervalsAndVerdictTest::meansOnly, Metric.NDCG_AT_10)
                    .evaluateEvery(1).outputDir(out).build().fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
            assertTrue(r.verdict().isEmpty());
            assertNull(Provenance.read(out.resolve("final/provenance.json")).evaluation().confidence());
        }
        assertTrue(Files.readString(out.resolve("final/README.md")).contains("No intervals"));
        assertTrue(!Files.exists(out.resolve(VerdictReport.MARKDOWN)), "the earlier run's verdict.md is removed");
        assertEquals("{\"mine\": true}", Files.readString(out.resolve(VerdictReport.JSON)));
    }
}

package io.bge4j.train.report;

import static io.bge4j.train.report.TrainingReportTest.DEV_DISTRACTORS;
import static io.bge4j.train.report.TrainingReportTest.DEV_QUERIES;
import static io.bge4j.train.report.TrainingReportTest.NEGATIVES;
import static io.bge4j.train.report.TrainingReportTest.PAIRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.report.ComparisonReport;
import io.bge4j.eval.report.HtmlReport;
import io.bge4j.eval.report.MiningSummary;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real (tiny) mine → evaluate → train → evaluate run that uses every component of this package the
 * way the trainer and the CLI are meant to: the metrics log reads back as the trainer's own records, and
 * the training report, comparison page, model card and provenance are written from real numbers.
 * {@code -Dbge4j.reportSample=DIR} keeps the pages there for a look in a browser.
 */
class RunArtifactsTest {

    @Test
    void aRealTinyRunLeavesReportCardAndProvenance(@TempDir Path out) throws IOException {
        List<String> vocab = new ArrayList<>();
        List<TrainingExample> train = new ArrayList<>();
        // the mining corpus: the negatives only (other examples' positives as negatives would split the batches)
        List<CorpusDocument> trainDocs = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            train.add(TrainingExample.of(PAIRS[i][0], List.of(PAIRS[i][1]), List.of()));
            vocab.addAll(List.of(PAIRS[i]));
            vocab.addAll(List.of(NEGATIVES[i]));
            trainDocs.add(new CorpusDocument("n" + i + "a", "", NEGATIVES[i][0]));
            trainDocs.add(new CorpusDocument("n" + i + "b", "", NEGATIVES[i][1]));
        }
        vocab.addAll(List.of(DEV_QUERIES));
        vocab.addAll(List.of(DEV_DISTRACTORS));
        // dev: paraphrased queries over the positives plus dev-only distractors (no training negative is a distractor)
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
        Corpus devCorpus = Corpus.of(devDocs);
        Qrels qrels = Qrels.of(judged);
        RetrievalEvaluator dev = RetrievalEvaluator.builder().name("tiny-dev").queries(Queries.of(queries))
                .corpus(devCorpus).qrels(qrels).metrics(Metric.allAt(List.of(1, 3, 5, 10))).keepRun(true).build();

        try (BgeModel m = TinyModels.bert(vocab, 1, 0.0)) {
            String baseFingerprint = Fingerprints.model(m);          // before fit(): the model is trained in place
            SamplingResult mined;
            List<Double> positiveScores = new ArrayList<>();
            EvaluationResult before;
            try (Embedder e = m.embedder().build()) {
                mined = DenseNegativeMiner.builder().embedder(e).rankWindow(0, 8).negativesPerQuery(2).seed(3).build().sample(train, Corpus.of(trainDocs));
                float[][] q = e.encodeQueries(train.stream().map(TrainingExample::query).toList());
                float[][] p = e.encodeCorpus(train.stream().map(x -> x.positives().get(0)).toList());
                for (int i = 0; i < q.length; i++) {
                    double s = 0;
                    for (int k = 0; k < q[i].length; k++) {
                        s += q[i][k] * p[i][k];
                    }
                    positiveScores.add(s);
                }
                before = dev.evaluate(e).withName("tiny base");
            }
            TrainingSet set = mined.toTrainingSet("tiny-mined");
            long t0 = System.nanoTime();
            Finetuner.Builder b = Finetuner.builder().model(m).trainingSet(set).batchSize(4).groupSize(3)
                    .temperature(0.05).learningRate(3e-3).warmupRatio(0.1).epochs(50).maxSteps(30).seed(7)
                    .evaluator(dev, Metric.NDCG_AT_10).evaluateEvery(5).saveFinal(false).outputDir(out);
            FinetuneResult r = b.build().fit();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            BgeModel best = r.bestModel();
            EvaluationResult after;
            try (Embedder e = best.embedder().build()) {
                after = dev.evaluate(e).withName("tiny fine-tuned");
            }

            // 1. the log reads back as the trainer's own records
            assertEquals(30, r.stepsTaken());
            TrainingHistory h = TrainingHistory.read(out.resolve("metrics.jsonl"));
            assertEquals(r.steps(), h.steps(), "every step line reads back as the trainer's record");
            assertEquals(r.evaluations(), h.evaluations());
            assertEquals(7, h.evaluations().size(), "step 0, then every 5 steps");
            assertTrue(r.steps().get(29).loss() < r.steps().get(0).loss(), "the tiny run learns");

            // 2. training report
            h = h.withDiagnostics(r.diagnostics()).withStopReason(r.stopReason().name());
            assertTrue(Files.isRegularFile(out.resolve(TrainingReport.FILE)), "fit() writes report.html itself");
            assertEquals(OutputFile.Status.REPLACED, TrainingReport.write(out.resolve(TrainingReport.FILE), h).status());
            String html = Files.readString(out.resolve("report.html"));
            assertFalse(html.contains("<script"));
            Matcher urls = Pattern.compile("https?://[^\"'\\s)]+").matcher(html);
            while (urls.find()) {
                assertEquals("http://www.w3.org/2000/svg", urls.group(), "no external resource");
            }
            // 4 training curves + the primary metric + one chart per measure (7 types at cutoffs 1, 3, 5, 10)
            assertEquals(4 + 1 + 7, count(html, "<svg "));
            EvaluationRecord bestEval = r.bestEvaluation().orElseThrow();
            assertEquals(12, count(html, "<line class=\"best\""), "the best step is marked in every chart");
            assertTrue(html.contains(String.format(java.util.Locale.ROOT, "best %.4f @ %d", bestEval.primaryValue(),
                    bestEval.step())), "best point labelled");
            assertTrue(html.contains("<th>Stopped</th><td>COMPLETED</td>"));
            assertEquals(!r.diagnostics().isEmpty(), html.contains("<h2>Diagnostics</h2>\n<table>"));
            Matcher loss = Pattern.compile("stroke=\"#aecbfa\"[^>]*points=\"([^\"]*)\"").matcher(html);
            assertTrue(loss.find());
            assertEquals(30, loss.group(1).split(" ").length, "one vertex per step");
            assertEquals(OutputFile.Status.REPLACED, TrainingReport.writeFor(out).status());

            // 3. comparison page with rankings and the mining report
            Comparison cmp = Comparison.builder().base(before).tuned(after).bootstrapSamples(500).permutations(1000)
                    .build();
            ComparisonReport cr = ComparisonReport.builder(cmp).runs(before, after).corpus(devCorpus).qrels(qrels)
                    .mining(MiningSummary.of(mined).withPositiveScores(positiveScores)).build();
            HtmlReport.write(cr, out.resolve("comparison.html"));
            String page = Files.readString(out.resolve("comparison.html"));
            assertTrue(page.contains("<h2>Hard-negative mining</h2>"));
            if (!cmp.mostImproved().isEmpty()) {
                assertTrue(page.contains("After: tiny fine-tuned"), "retrieved documents listed");
            }

            // 4. model card and provenance next to the best model
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("batchSize", 4);
            config.put("groupSize", 3);
            config.put("temperature", 0.05);
            config.put("learningRate", 3e-3);
            config.put("epochs", 50);
            config.put("maxSteps", 30L);
            config.put("seed", 7L);
            Path modelDir = out.resolve("best");
            Provenance prov = Provenance.builder().baseModel("tiny-bert", "TinyModels.bert(seed 1)", baseFingerprint)
                    .model(best).trainingSet(set).configuration(config).loss("InfoNCE (temperature 0.05, in-batch"
                            + " negatives)").training(r, took).evaluation(cmp, "tiny-dev").build();
            List<OutputFile> files = ModelCardWriter.writeAll(modelDir, prov);
            assertTrue(files.stream().allMatch(OutputFile::written), files::toString);
            Provenance back = Provenance.read(modelDir.resolve("provenance.json"));
            assertEquals(prov, back);
            assertFalse(baseFingerprint.equals(back.model().fingerprint()), "training changed the weights");
            String card = Files.readString(modelDir.resolve("README.md"));
            assertTrue(card.contains(String.format(java.util.Locale.ROOT, "| **ndcg@10** | %.4f | %.4f | %+.4f |",
                    before.mean(Metric.NDCG_AT_10), after.mean(Metric.NDCG_AT_10),
                    after.mean(Metric.NDCG_AT_10) - before.mean(Metric.NDCG_AT_10))), card);
            assertTrue(card.contains("on " + set.size() + " training examples"), card);
            if (best != r.finalModel()) {
                best.close();
            }

            String sample = System.getProperty("bge4j.reportSample");
            if (sample != null) {
                Files.createDirectories(Path.of(sample));
                for (String f : List.of("report.html", "comparison.html", "best/README.md", "best/provenance.json")) {
                    Files.copy(out.resolve(f), Path.of(sample, "tiny-" + f.replace('/', '-')),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

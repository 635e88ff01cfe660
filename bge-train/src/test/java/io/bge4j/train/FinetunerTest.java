package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetunerTest {

    static final String[][] PAIRS = {
        {"install web server", "nginx is a fast http server and reverse proxy"},
        {"edit text files", "vim is a highly configurable text editor"},
        {"compress archives", "gzip reduces the size of files with lempel ziv coding"},
        {"manage packages", "apt downloads and installs debian packages"},
        {"play music", "a lightweight audio player for mp3 and ogg"},
        {"browse the internet", "a graphical web browser with tabs"},
        {"check spelling", "a spell checker with dictionaries for many languages"},
        {"draw diagrams", "vector drawing program for flowcharts and diagrams"},
    };

    /** Each example's own negatives: no text is shared between examples, so batches of 4 never clash. */
    static final String[][] NEGATIVES = {
        {"fonts for chinese characters", "a clock for the desktop panel"},
        {"firmware for wireless cards", "a calculator with units"},
        {"bindings for the gtk toolkit", "a game of chess against the computer"},
        {"documentation of the c library", "themes for the window manager"},
        {"a daemon that syncs the clock", "icons in scalable vector format"},
        {"a tool to partition disks", "a library for regular expressions"},
        {"a mail transfer agent", "a screen reader for blind users"},
        {"a backup program with deduplication", "a terminal multiplexer"},
    };

    static TrainingSet trainingSet() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            List<String> negs = List.of(NEGATIVES[i]);
            ex.add(TrainingExample.of(PAIRS[i][0], List.of(PAIRS[i][1]), negs));
        }
        return TrainingSet.of("tiny", ex);
    }

    static List<String> allTexts() {
        List<String> t = new ArrayList<>();
        for (String[] p : PAIRS) {
            t.add(p[0]);
            t.add(p[1]);
        }
        for (String[] n : NEGATIVES) {
            t.addAll(List.of(n));
        }
        return t;
    }

    /** Recall@1 of each query against the 8 passages, computed by hand from the embeddings. */
    static double recallAt1(BgeModel m) {
        try (Embedder e = m.embedder().build()) {
            List<String> qs = new ArrayList<>();
            List<String> ds = new ArrayList<>();
            for (String[] p : PAIRS) {
                qs.add(p[0]);
                ds.add(p[1]);
            }
            float[][] q = e.encodeQueries(qs);
            float[][] d = e.encodeCorpus(ds);
            int hits = 0;
            for (int i = 0; i < q.length; i++) {
                int best = -1;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < d.length; j++) {
                    double s = 0;
                    for (int k = 0; k < q[i].length; k++) {
                        s += q[i][k] * d[j][k];
                    }
                    if (s > bestScore) {
                        bestScore = s;
                        best = j;
                    }
                }
                hits += best == i ? 1 : 0;
            }
            return hits / (double) q.length;
        }
    }

    @Test
    void tinyModelOverfitsTinySet(@TempDir Path out) throws Exception {
        try (BgeModel m = TinyModels.bert(allTexts(), 1, 0.0)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(trainingSet()).batchSize(4).groupSize(3)
                    .temperature(0.05).learningRate(3e-3).warmupRatio(0.05).epochs(100).seed(7).outputDir(out).build().fit();
            assertEquals(200, r.stepsTaken()); // 2 batches of 4 an epoch, 100 epochs
            double first = r.steps().get(0).loss();
            double last = r.steps().subList(190, 200).stream().mapToDouble(StepRecord::loss).average().orElseThrow();
            assertTrue(first > 2.0, "initial loss " + first); // ln 12 = 2.48 for near-identical vectors
            assertTrue(last < 0.1, "final loss " + last + " (first " + first + ")");
            assertEquals(1.0, recallAt1(m), 1e-9);
            // run_start, memory_plan, one line per finding, 200 steps, run_end
            List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
            assertEquals(203 + r.diagnostics().size(), lines.size());
            assertEquals(r.diagnostics().size(), lines.stream().filter(l -> l.contains("\"type\":\"diagnostic\"")).count());
            assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
            assertEquals(FinetuneResult.StopReason.COMPLETED, r.stopReason());
        }
    }

    @Test
    void sameSeedSameLosses() {
        List<Double> a = losses(3);
        List<Double> b = losses(3);
        assertEquals(a, b);
        assertFalse(a.equals(losses(4)), "a different seed changes sampling and dropout");
    }

    private static List<Double> losses(long seed) {
        try (BgeModel m = TinyModels.bert(allTexts(), 1)) {
            return Finetuner.builder().model(m).trainingSet(trainingSet()).batchSize(4).groupSize(3).maxSteps(4)
                    .seed(seed).build().fit().steps().stream().map(StepRecord::loss).toList();
        }
    }

    @Test
    void examplesWithoutNegativesBorrowOtherPositivesAndAreReported() {
        List<TrainingExample> bare = new ArrayList<>();
        for (String[] p : PAIRS) {
            bare.add(TrainingExample.of(p[0], List.of(p[1]), List.of()));
        }
        try (BgeModel m = TinyModels.bert(allTexts(), 1, 0.0)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(TrainingSet.of("bare", bare)).batchSize(4)
                    .groupSize(3).maxSteps(2).build().fit();
            assertEquals(2, r.stepsTaken());
            TrainingDiagnostic d = r.diagnostics().stream().filter(x -> x.code().equals("NO_NEGATIVES")).findFirst()
                    .orElseThrow();
            assertTrue(d.message().startsWith("8 of 8 examples have no negatives"), d.message());
            assertTrue(r.steps().stream().allMatch(s -> Double.isFinite(s.loss()) && s.loss() > 0));
        }
    }

    @Test
    void dynamicNegativesAreRefreshedWithTheCurrentModelDuringTraining() {
        List<io.bge4j.data.beir.CorpusDocument> docs = new ArrayList<>();
        int id = 0;
        for (String t : allTexts()) {
            docs.add(new io.bge4j.data.beir.CorpusDocument("d" + id++, "", t));
        }
        io.bge4j.data.beir.Corpus corpus = io.bge4j.data.beir.Corpus.of(docs);
        io.bge4j.data.sampling.DynamicNegativeSampler dyn = io.bge4j.data.sampling.DynamicNegativeSampler.builder()
                .refreshEvery(2).negativesPerQuery(2)
                .schedule(io.bge4j.data.sampling.RankWindowSchedule.linear(io.bge4j.data.sampling.RankWindow.of(10, 20),
                        io.bge4j.data.sampling.RankWindow.of(1, 8), 0, 4))
                .seed(3).build();
        try (BgeModel m = TinyModels.bert(allTexts(), 1, 0.0)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(trainingSet()).negativeSampler(dyn, corpus)
                    .dynamicNegatives(dyn).batchSize(4).groupSize(3).maxSteps(5).seed(2).build().fit();
            assertEquals(5, r.stepsTaken());
            List<Long> refreshSteps = r.diagnostics().stream().filter(d -> d.code().equals("NEGATIVES_REFRESHED"))
                    .map(TrainingDiagnostic::step).toList();
            assertEquals(List.of(2L, 4L), refreshSteps, "refreshed before steps 3 and 5, with the weights after 2 and 4");
            assertEquals(2, dyn.refreshes());
        }
    }

    @Test
    void builderNamesTheBadOption() {
        try (BgeModel m = TinyModels.bert(allTexts(), 1)) {
            Finetuner.Builder b = Finetuner.builder().model(m).trainingSet(trainingSet());
            assertEquals("temperature must be > 0, got 0.0",
                    assertThrows(IllegalArgumentException.class, () -> b.temperature(0).build()).getMessage());
            b.temperature(0.02);
            assertEquals("batchSize 1 with groupSize 1 leaves every query without a negative: InfoNCE is identically 0."
                    + " Use groupSize > 1 with mined negatives, or a larger batch",
                    assertThrows(IllegalArgumentException.class, () -> b.batchSize(1).groupSize(1).build()).getMessage());
            b.batchSize(4).groupSize(2);
            assertEquals("passageMaxLength must be in [2, 128], got 512",
                    assertThrows(IllegalArgumentException.class, () -> b.passageMaxLength(512).build()).getMessage());
            b.passageMaxLength(64);
            assertEquals("earlyStopping needs an evaluator",
                    assertThrows(IllegalArgumentException.class, () -> b.earlyStopping(2, 0).build()).getMessage());
            assertEquals(3e-5, Finetuner.defaultLearningRate(io.bge4j.core.BgePreset.SizeClass.SMALL));
            assertEquals(1e-5, Finetuner.defaultLearningRate(io.bge4j.core.BgePreset.SizeClass.LARGE));
        }
    }

    /** An evaluator whose primary metric follows a script, to test best-keeping and early stopping. */
    static Evaluator scripted(double... values) {
        int[] calls = {0};
        return emb -> {
            double v = values[Math.min(calls[0]++, values.length - 1)];
            return new EvaluationResult("scripted", Metric.NDCG_AT_10, List.of(Metric.NDCG_AT_10),
                    Map.of(Metric.NDCG_AT_10, v), Map.of(), new QueryCounts(1, 0, 0, 0), Map.of(), null);
        };
    }

    @Test
    void earlyStoppingKeepsTheBest(@TempDir Path out) {
        try (BgeModel m = TinyModels.bert(allTexts(), 1)) {
            // base 0.5, then 0.6 (best, step 1), 0.55, 0.58 -> patience 2 exhausted after step 3
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(trainingSet()).batchSize(4).groupSize(2)
                    .maxSteps(10).evaluator(scripted(0.5, 0.6, 0.55, 0.58, 0.9), Metric.NDCG_AT_10).evaluateEvery(1)
                    .earlyStopping(2, 0.0).outputDir(out).build().fit();
            assertEquals(FinetuneResult.StopReason.EARLY_STOPPED, r.stopReason());
            assertEquals(3, r.stepsTaken());
            assertEquals(1, r.bestEvaluation().orElseThrow().step());
            assertEquals(0.6, r.bestEvaluation().orElseThrow().primaryValue());
            assertTrue(Files.isRegularFile(out.resolve("best/model.safetensors")));
            assertTrue(r.bestModel() != r.finalModel(), "best (step 1) is a separate copy of the weights");
            r.bestModel().close();
        }
    }

    @Test
    void nonFiniteLossStopsAndKeepsLastGoodWeights(@TempDir Path out) throws Exception {
        try (BgeModel m = TinyModels.bert(allTexts(), 1)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(trainingSet()).batchSize(4).groupSize(2)
                    .temperature(1e-45).maxSteps(3).outputDir(out).build().fit();
            assertEquals(FinetuneResult.StopReason.NON_FINITE_LOSS, r.stopReason());
            assertEquals(0, r.stepsTaken());
            TrainingDiagnostic d = r.diagnostics().stream().filter(x -> x.code().equals("NON_FINITE_LOSS")).findFirst()
                    .orElseThrow();
            assertTrue(d.message().contains("at step 1"), d.message());
            assertTrue(Files.isRegularFile(out.resolve("last-good/model.safetensors")));
            assertEquals(0, new ObjectMapper().readTree(out.resolve("last-good/trainer_state.json").toFile())
                    .get("step").asInt());
        }
    }
}

package io.bge4j.train.advise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One small end-to-end advise run on a tiny random model: the runs are real, nested and measured. */
class AdvisorTinyRunTest {

    private static final String[][] PAIRS = {
        {"secure shell client", "openssh lets you log in to remote machines securely"},
        {"image editor", "gimp edits and retouches raster images"},
        {"version control", "git tracks changes to source code"},
        {"pdf viewer", "evince shows pdf and postscript documents"},
        {"office suite", "libreoffice writes documents spreadsheets and slides"},
        {"media player", "vlc plays almost any video or audio file"},
        {"password manager", "keepassxc stores passwords in an encrypted database"},
        {"firewall tool", "ufw is an uncomplicated front end for netfilter"},
    };
    private static final String[] MINING_DISTRACTORS = {"a tetris clone for the console", "weather applet",
        "a font with chinese glyphs", "tools for the ext4 file system", "a scanner frontend", "a dictionary client",
        "an irc chat client", "a sudoku puzzle game", "a screenshot utility", "a tool to benchmark disks"};
    private static final String[] DEV_QUERIES = {"ssh", "photo retouching", "git repository", "read pdf files",
        "spreadsheet program", "watch videos", "store passwords", "block network ports"};
    private static final String[] DEV_DISTRACTORS = {"a solitaire card game", "a calendar for the desktop",
        "a music tracker", "a network time server"};

    @Test
    void aTinyAdviseRunMeasuresNestedRunsAgainstTheBaseAndLeavesTheBaseAlone() {
        List<String> vocab = new ArrayList<>();
        List<TrainingExample> train = new ArrayList<>();
        List<CorpusDocument> mining = new ArrayList<>();
        List<CorpusDocument> devDocs = new ArrayList<>();
        Map<String, String> queries = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        for (int i = 0; i < PAIRS.length; i++) {
            train.add(TrainingExample.of(PAIRS[i][0], List.of(PAIRS[i][1]), List.of()));
            vocab.addAll(List.of(PAIRS[i]));
            mining.add(new CorpusDocument("t" + i, "", PAIRS[i][1]));
            devDocs.add(new CorpusDocument("d" + i, "", PAIRS[i][1]));
            queries.put("q" + i, DEV_QUERIES[i]);
            qrels.put("q" + i, Map.of("d" + i, 1));
        }
        for (int i = 0; i < MINING_DISTRACTORS.length; i++) {
            mining.add(new CorpusDocument("m" + i, "", MINING_DISTRACTORS[i]));
        }
        for (int i = 0; i < DEV_DISTRACTORS.length; i++) {
            devDocs.add(new CorpusDocument("x" + i, "", DEV_DISTRACTORS[i]));
        }
        vocab.addAll(List.of(MINING_DISTRACTORS));
        vocab.addAll(List.of(DEV_QUERIES));
        vocab.addAll(List.of(DEV_DISTRACTORS));
        RetrievalEvaluator dev = RetrievalEvaluator.builder().name("tiny-dev").queries(Queries.of(queries))
                .corpus(Corpus.of(devDocs)).qrels(Qrels.of(qrels)).primary(Metric.NDCG_AT_10).build();
        List<String> progress = new ArrayList<>();
        try (BgeModel base = TinyModels.bert(vocab, 3, 0.0)) {
            float[] before;
            EvaluationResult baseEval;
            try (Embedder e = base.embedder().build()) {
                before = e.encodeQueries(List.of(DEV_QUERIES[0]))[0];
                baseEval = dev.evaluate(e);
            }
            Advisor advisor = Advisor.builder().model(base).trainingSet(TrainingSet.of("tiny", train))
                    .miningCorpus(Corpus.of(mining)).devEvaluator(dev).fractions(1.0, 0.25, 0.5).batchSize(2)
                    .groupSize(2).negativesPerQuery(2).hardRanks(0, 8).epochs(2).learningRate(1e-3).seed(11)
                    .progress(progress::add).build();
            AdviceReport r = advisor.run();

            assertEquals(baseEval.mean(Metric.NDCG_AT_10), r.baseValue(), 1e-9, "the base is measured on dev");
            assertEquals(8, r.trainingExamples());
            assertEquals(8, r.devQueries());
            assertEquals(List.of(2, 4, 8), r.curve().stream().map(AdviceRun::examples).toList(), "fractions sorted");
            // same epochs for every run: steps grow with the subset (2 epochs of n / B batches)
            assertEquals(List.of(2L, 4L, 8L), r.curve().stream().map(AdviceRun::steps).toList());
            for (AdviceRun run : r.curve()) {
                assertEquals(r.baseValue(), run.gain().base(), 1e-12);
                assertEquals(run.gain().tuned() - run.gain().base(), run.gain().delta(), 1e-12);
                assertTrue(run.gain().ciLow() <= run.gain().delta() && run.gain().delta() <= run.gain().ciHigh());
            }
            assertEquals(4, r.negatives().size());
            assertEquals(NegativeStrategy.IN_BATCH, r.negatives().get(0).strategy());
            assertSame(r.curve().get(1), r.negatives().get(2), "hard at 50 % is the curve's own 50 % run, made once");
            assertTrue(progress.stream().anyMatch(p -> p.contains("hard@50%: same as an earlier run, reused")), progress.toString());
            assertTrue(r.bestVsRunnerUp() != null, "four strategies give a best and a runner-up");
            double bestGain = r.negatives().stream().mapToDouble(x -> x.gain().delta()).max().orElseThrow();
            AdviceRun best = r.negatives().stream().filter(x -> x.strategy().cliName().equals(r.bestVsRunnerUp().first()))
                    .findFirst().orElseThrow();
            assertEquals(bestGain, best.gain().delta(), 1e-12);
            // the fit is the least-squares line through the measured points
            CurveFit expected = CurveFit.fit(new double[] {0.25, 0.5, 1.0},
                    r.curve().stream().mapToDouble(x -> x.gain().delta()).toArray(),
                    r.curve().stream().mapToDouble(AdviceRun::halfWidth).toArray());
            assertEquals(expected, r.fit());
            assertTrue(r.advice().stream().anyMatch(a -> a.startsWith("model size: ")), r.advice().toString());
            assertTrue(r.text().contains("negatives at 50 % of the data"), r.text());
            try (Embedder e = base.embedder().build()) {
                assertArrayEquals(before, e.encodeQueries(List.of(DEV_QUERIES[0]))[0], "the base model is not trained");
            }
        }
    }

    @Test
    void badOptionsAreNamedInBuild() {
        try (BgeModel m = TinyModels.bert(List.of("a b c"), 1)) {
            TrainingSet t = TrainingSet.of("t", List.of(TrainingExample.of("a", List.of("b"), List.of())));
            RetrievalEvaluator dev = RetrievalEvaluator.builder().queries(Queries.of(Map.of("q", "a")))
                    .corpus(Corpus.of(List.of(new CorpusDocument("d", "", "b")))).qrels(Qrels.of(Map.of("q", Map.of("d", 1))))
                    .build();
            Advisor.Builder b = Advisor.builder().model(m).trainingSet(t).devEvaluator(dev);
            assertTrue(assertThrows(IllegalArgumentException.class, b::build).getMessage()
                    .startsWith("Advisor option miningCorpus is required"));
            b.strategies(List.of()).curveStrategy(NegativeStrategy.IN_BATCH);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.fractions(0.5, 1.5).build()).getMessage()
                    .contains("fractions each must be in (0, 1], got 1.5"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.fractions(0.5, 0.5).build()).getMessage()
                    .contains("must be distinct"));
            b.fractions(0.5, 1.0);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.groupSize(4).negativesPerQuery(2).build())
                    .getMessage().contains("negativesPerQuery must be at least groupSize − 1 = 3"));
            b.negativesPerQuery(3);
            Advisor a = b.build();
            b.fractions(0.1, 0.2);
            assertArrayEquals(new double[] {0.5, 1.0}, a.fractions(), "build() copies the options");
        }
    }
}

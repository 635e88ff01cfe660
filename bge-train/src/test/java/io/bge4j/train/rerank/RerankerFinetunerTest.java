package io.bge4j.train.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.EncodedPair;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.train.StepRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reranker fine-tuning loop on a tiny cross-encoder and a task it can learn. */
class RerankerFinetunerTest {

    private static final String[] TOPICS = {"kernel", "editor", "server", "mail", "font", "game", "shell", "audio"};

    /** Query "about T" has positive "T tools for T users"; negatives are the other topics' positives. */
    static List<TrainingExample> examples(boolean withScores) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < TOPICS.length; i++) {
            List<String> neg = new ArrayList<>();
            List<Double> negScores = new ArrayList<>();
            for (int j = 1; j <= 3; j++) {
                neg.add(passage(TOPICS[(i + j) % TOPICS.length]));
                negScores.add(-1.0 * j);
            }
            TrainingExample.Builder b = TrainingExample.builder().query("about " + TOPICS[i])
                    .positives(List.of(passage(TOPICS[i]))).negatives(neg);
            if (withScores) {
                b.positiveScores(List.of(2.0)).negativeScores(negScores);
            }
            out.add(b.build());
        }
        return out;
    }

    static String passage(String topic) {
        return topic + " tools for " + topic + " users";
    }

    static CrossEncoder tiny(long seed) {
        List<String> texts = new ArrayList<>();
        for (TrainingExample e : examples(false)) {
            texts.add(e.query());
            texts.addAll(e.positives());
        }
        try (BgeModel m = TinyModels.bert(texts, seed, 0.0)) {
            CrossEncoder ce = CrossEncoder.fromEmbedder(m, seed);
            // wider random weights than BERT's 0.02, so that a 2-layer encoder tells texts apart from the start
            Random rnd = new Random(seed);
            Map<String, TensorData> w = new LinkedHashMap<>();
            for (TensorData t : ce.toTensors().values()) {
                if (t.name().endsWith(".weight") && !t.name().contains("LayerNorm")) {
                    float[] v = new float[t.data().length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rnd.nextGaussian() * 0.2);
                    }
                    w.put(t.name(), new TensorData(t.name(), t.shape(), v));
                }
            }
            ce.loadTensors(w);
            return ce;
        }
    }

    private static RerankerFinetuner.Builder base(CrossEncoder ce) {
        return RerankerFinetuner.builder().model(ce).examples(examples(false)).groupSize(4).batchSize(4)
                .learningRate(5e-3).warmupRatio(0.1).epochs(10).weightDecay(0).seed(7)
                .queryMaxLength(16).passageMaxLength(48);
    }

    @Test
    void learnsToRankThePositiveFirst() {
        try (CrossEncoder ce = tiny(1)) {
            double before = accuracy(ce);
            RerankerFinetuneResult r = base(ce).build().fit();
            assertEquals(20, r.steps().size());
            assertEquals(8, r.usedExamples());
            assertFalse(r.distilled());
            List<Double> losses = r.steps().stream().map(StepRecord::loss).toList();
            double first = (losses.get(0) + losses.get(1)) / 2;
            double last = (losses.get(18) + losses.get(19)) / 2;
            assertTrue(first > 1.2, "starts near log 4 = 1.386: " + first);
            assertTrue(last < 0.6 * first, "loss falls: " + first + " -> " + last);
            double after = accuracy(ce);
            assertTrue(after > before && after >= 0.75, "accuracy " + before + " -> " + after);
            assertTrue(r.steps().get(19).learningRate() < r.steps().get(5).learningRate(), "linear decay");
        }
    }

    @Test
    void sameSeedSameDataGivesTheSameLosses() {
        List<Double> a;
        List<Double> b;
        List<Double> c;
        try (CrossEncoder ce = tiny(1)) {
            a = base(ce).epochs(2).build().fit().steps().stream().map(StepRecord::loss).toList();
        }
        try (CrossEncoder ce = tiny(1)) {
            b = base(ce).epochs(2).build().fit().steps().stream().map(StepRecord::loss).toList();
        }
        try (CrossEncoder ce = tiny(1)) {
            c = base(ce).epochs(2).seed(8).build().fit().steps().stream().map(StepRecord::loss).toList();
        }
        assertEquals(a, b);
        assertTrue(!a.equals(c), "another seed draws other groups");
    }

    /** Share of examples whose positive outscores all its negatives. */
    private static double accuracy(CrossEncoder ce) {
        int ok = 0;
        for (TrainingExample e : examples(false)) {
            List<String> ps = new ArrayList<>(e.positives());
            ps.addAll(e.negatives());
            float[] s = ce.score(e.query(), ps);
            boolean best = true;
            for (int i = 1; i < s.length; i++) {
                best &= s[0] > s[i];
            }
            ok += best ? 1 : 0;
        }
        return ok / (double) TOPICS.length;
    }

    @Test
    void groupsHoldThePositiveFirstAndDistinctNegativesWhenEnoughExist() {
        try (CrossEncoder ce = tiny(2)) {
            RerankerFinetuner ft = base(ce).groupSize(3).build();
            TrainingExample e = examples(true).get(0);
            RerankGroups.GroupBatch g = ft.groups(List.of(e), new Random(3), true);
            assertEquals(3, g.pairs().size());
            EncodedPair pos = ce.pairTokenizer().encode(e.query(), e.positives().get(0),
                    io.bge4j.core.rerank.PairLimits.training(16, 48));
            assertEquals(pos, g.pairs().get(0));
            assertEquals(2.0f, g.teacher()[0]);
            assertTrue(g.teacher()[1] != g.teacher()[2], "two different negatives (scores -1, -2, -3 are distinct)");
            // with 1 negative and G-1 = 3, the negative is repeated
            TrainingExample one = TrainingExample.of("about kernel", List.of(passage("kernel")), List.of(passage("mail")));
            RerankGroups.GroupBatch g2 = base(ce).build().groups(List.of(one), new Random(3), false);
            assertEquals(4, g2.pairs().size());
            assertEquals(g2.pairs().get(1), g2.pairs().get(3));
        }
    }

    @Test
    void distillationUsesTeacherScoresAndOnRequiresThem() {
        try (CrossEncoder ce = tiny(3)) {
            RerankerFinetuneResult r = base(ce).examples(examples(true)).epochs(1).build().fit();
            assertTrue(r.distilled());
            assertTrue(r.steps().get(0).distillationLoss() > 0);
            assertEquals(r.steps().get(0).loss(), r.steps().get(0).contrastiveLoss()
                    + r.steps().get(0).distillationLoss(), 1e-9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base(ce)
                    .distillation(RerankerFinetuner.Distillation.ON).build().fit());
            assertTrue(e.getMessage().contains("pos_scores"), e.getMessage());
        }
    }

    @Test
    void evaluationKeepsTheBestWeights() {
        Map<String, String> q = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> rel = new LinkedHashMap<>();
        List<CorpusDocument> docs = new ArrayList<>();
        Run.Builder run = Run.builder();
        for (int i = 0; i < TOPICS.length; i++) {
            docs.add(new CorpusDocument("d" + i, "", passage(TOPICS[i])));
            q.put("q" + i, "about " + TOPICS[i]);
            rel.put("q" + i, Map.of("d" + i, 1));
        }
        for (int i = 0; i < TOPICS.length; i++) {
            for (int j = 0; j < TOPICS.length; j++) {
                run.add("q" + i, "d" + ((i + j + 1) % TOPICS.length), -j);  // relevant document last
            }
        }
        RerankingEvaluator ev = RerankingEvaluator.builder().queries(Queries.of(q)).corpus(Corpus.of(docs))
                .qrels(Qrels.of(rel)).topK(8).metrics(List.of(Metric.NDCG_AT_10)).build();
        try (CrossEncoder ce = tiny(4)) {
            RerankerFinetuneResult r = base(ce).epochs(3).evaluator(ev, run.build(), 2).build().fit();
            assertEquals(3, r.evaluations().size());
            double best = r.bestEvaluation().orElseThrow().primaryValue();
            assertEquals(best, ev.evaluate(run.build(), ce).reranked().primaryValue(), 1e-9,
                    "the model holds the best evaluated weights");
        }
    }

    @Test
    void builderNamesTheBadOption() {
        try (CrossEncoder ce = tiny(5)) {
            assertMessage("groupSize", () -> base(ce).groupSize(1).build());
            assertMessage("model", () -> RerankerFinetuner.builder().examples(examples(false)).build());
            assertMessage("learningRate", () -> base(ce).learningRate(0).build());
            assertMessage("exceeds", () -> base(ce).passageMaxLength(200).build());
            assertMessage("first-stage", () -> base(ce).evaluator(
                    RerankingEvaluator.builder().queries(Queries.of(Map.of())).corpus(Corpus.of(List.of()))
                            .qrels(Qrels.of(Map.of())).build(), null, 1).build());
            List<TrainingExample> noNeg = List.of(TrainingExample.of("q", List.of("p"), List.of()));
            assertMessage("mine negatives", () -> base(ce).examples(noNeg).build().fit());
        }
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable x) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, x);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}

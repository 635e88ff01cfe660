package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.Bm25Language;
import io.bge4j.data.sampling.SampledNegative;
import io.bge4j.data.sampling.SamplingResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** BM25 and dense negatives for a few shipped training queries, with a tiny random model. */
class Bm25VsDenseExampleTest {

    static final Path DATA = Path.of("../data/debian-packages-en");
    static final int NEGATIVES = 3;

    static Set<String> words(String s) {
        return new HashSet<>(Arrays.asList(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")));
    }

    @Test
    void minesBothWaysAndDenseNegativesScoreAtLeastAsHighAsRandomOnes() {
        List<TrainingExample> examples = TrainingSet.readJsonl(DATA.resolve("train.jsonl")).sample(6, 3).examples();
        Corpus corpus = Bm25VsDenseExample.subCorpus(Corpus.readJsonl(DATA.resolve("corpus.jsonl")), examples, 40, 3);
        assertEquals(40, corpus.size());
        // every positive is in the smaller corpus
        Set<String> texts = new HashSet<>(corpus.fullTexts());
        examples.forEach(e -> assertTrue(texts.containsAll(e.positives())));

        List<String> vocab = new ArrayList<>(corpus.fullTexts());
        examples.forEach(e -> vocab.add(e.query()));
        StringWriter sw = new StringWriter();
        Bm25VsDenseExample.Outcome r;
        try (BgeModel model = TinyModels.bert(vocab, 9, 0.0);
                Embedder embedder = model.embedder().maxLength(128).batchSize(16).build()) {
            r = Bm25VsDenseExample.run(embedder, examples, corpus, NEGATIVES, Bm25Language.STANDARD, 5,
                    new PrintWriter(sw));
        }

        for (SamplingResult s : List.of(r.bm25(), r.dense(), r.random())) {
            assertEquals(examples.size(), s.examples().size());
            for (int i = 0; i < examples.size(); i++) {
                TrainingExample e = s.examples().get(i);
                assertEquals(examples.get(i).query(), e.query());
                assertEquals(NEGATIVES, e.negatives().size(), s.report().summary());
                for (String n : e.negatives()) {
                    for (String p : e.positives()) {
                        assertFalse(TextNormalizer.normalize(n).equals(TextNormalizer.normalize(p)),
                                s.report().sampler() + " returned a positive as negative");
                    }
                }
            }
        }

        // BM25: every negative taken from the ranking shares a word with its query
        int ranked = 0;
        for (int i = 0; i < examples.size(); i++) {
            Set<String> q = words(examples.get(i).query());
            for (SampledNegative n : r.bm25().provenance().get(i)) {
                if (!n.toppedUp()) {
                    ranked++;
                    Set<String> shared = words(n.text());
                    shared.retainAll(q);
                    shared.remove("");
                    assertFalse(shared.isEmpty(), "BM25 negative shares no word with '" + examples.get(i).query()
                            + "': " + n.text());
                    assertTrue(n.score() > 0, "BM25 score " + n.score());
                }
            }
        }
        assertTrue(ranked >= examples.size(), "too few ranked BM25 negatives: " + ranked);

        // dense: the whole corpus is inside the window, so negatives are the model's top non-positives
        double provenanceMean = 0;
        int count = 0;
        for (List<SampledNegative> p : r.dense().provenance()) {
            for (int k = 0; k < p.size(); k++) {
                assertFalse(p.get(k).toppedUp());
                if (k > 0) {
                    assertTrue(p.get(k - 1).score() >= p.get(k).score(), "dense negatives not in score order");
                }
                provenanceMean += p.get(k).score();
                count++;
            }
        }
        provenanceMean /= count;
        assertEquals(provenanceMean, r.denseMeanScore(), 1e-4, "the example's scoring differs from the miner's");
        assertTrue(r.denseMeanScore() >= r.randomMeanScore() - 1e-5,
                "dense " + r.denseMeanScore() + " < random " + r.randomMeanScore());
        assertTrue(Double.isFinite(r.bm25MeanScore()));

        String out = sw.toString();
        assertTrue(out.contains("query: " + examples.get(0).query()), out);
        assertTrue(out.contains(String.format("  dense  %.4f", r.denseMeanScore())), out);
        assertTrue(out.contains(String.format("  random %.4f", r.randomMeanScore())), out);
    }
}

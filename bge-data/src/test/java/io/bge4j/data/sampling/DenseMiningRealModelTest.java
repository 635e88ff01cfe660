package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.CorpusJsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Dense mining with the real bge-small-en-v1.5 on a slice of the shipped Debian package data: the
 * mined negatives must be much closer to their queries than random ones, and never a positive.
 */
class DenseMiningRealModelTest {

    private static final Path DATA = Path.of("../data/debian-packages-en");

    @Test
    void minedNegativesAreCloserThanRandomOnes() {
        List<TrainingExample> train = TrainingSet.readJsonl(DATA.resolve("train.jsonl")).examples().subList(0, 24);
        Set<String> positives = new HashSet<>();
        train.forEach(e -> positives.addAll(e.positives()));
        Corpus full = CorpusJsonl.read(DATA.resolve("corpus.jsonl"));
        List<CorpusDocument> docs = new ArrayList<>();
        for (CorpusDocument d : full.documents()) {
            if (positives.contains(d.fullText()) || docs.size() < 24 + 120) {
                docs.add(d);
            }
        }
        Corpus corpus = Corpus.of(docs);
        try (BgeModel model = BgeModel.load("bge-small-en-v1.5");
                Embedder emb = model.embedder().maxLength(128).build()) {
            SamplingResult dense = DenseNegativeMiner.builder().embedder(emb).rankWindow(1, 20).negativesPerQuery(3)
                    .selection(Selection.TOP).build().sample(train, corpus);
            SamplingResult random = RandomNegativeSampler.builder().negativesPerQuery(3).seed(3).build()
                    .sample(train, corpus);
            assertEquals(train.size() * 3, dense.report().negativesProduced());
            double denseMean = meanNegativeScore(emb, dense.examples());
            double randomMean = meanNegativeScore(emb, random.examples());
            for (TrainingExample e : dense.examples()) {
                for (String n : e.negatives()) {
                    assertTrue(!e.positives().contains(n), "a positive was returned as a negative");
                }
            }
            // bge-small cosines of unrelated Debian descriptions sit around 0.45-0.55; mined ones far above
            assertTrue(denseMean > randomMean + 0.08, "dense " + denseMean + " vs random " + randomMean);
        }
    }

    private static double meanNegativeScore(Embedder emb, List<TrainingExample> examples) {
        double sum = 0;
        int n = 0;
        for (TrainingExample e : examples) {
            float[] q = emb.encodeQueries(List.of(e.query()))[0];
            for (float[] d : emb.encodeCorpus(e.negatives())) {
                double s = 0;
                for (int i = 0; i < q.length; i++) {
                    s += q[i] * d[i];
                }
                sum += s;
                n++;
            }
        }
        return sum / n;
    }
}

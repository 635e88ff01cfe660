package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenseNegativeMinerTest {
    private static final String[][] TOPICS = {
        {"nginx", "server", "proxy", "port", "config", "http"},
        {"python", "pip", "package", "install", "virtualenv", "module"},
        {"password", "account", "reset", "login", "email", "security"},
        {"coffee", "beans", "roast", "espresso", "grinder", "milk"},
        {"garden", "tomato", "soil", "water", "seeds", "sunlight"},
    };

    @TempDir
    Path dir;

    /** 5 topics × 40 documents; each query asks about its topic and has one positive. */
    static Corpus topicCorpus() {
        Random rnd = new Random(11);
        List<CorpusDocument> docs = new ArrayList<>();
        for (int t = 0; t < TOPICS.length; t++) {
            for (int i = 0; i < 40; i++) {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < 6; w++) {
                    sb.append(TOPICS[t][rnd.nextInt(6)]).append(' ');
                }
                sb.append("doc").append(t).append('_').append(i);
                docs.add(new CorpusDocument("t" + t + "d" + i, "", sb.toString()));
            }
        }
        return Corpus.of(docs);
    }

    static List<TrainingExample> topicExamples(Corpus corpus) {
        List<TrainingExample> ex = new ArrayList<>();
        for (int t = 0; t < TOPICS.length; t++) {
            for (int i = 0; i < 4; i++) {
                String positive = corpus.get(t * 40 + i).fullText();
                ex.add(TrainingExample.of(TOPICS[t][i] + " " + TOPICS[t][i + 1] + " question", List.of(positive),
                        List.of()));
            }
        }
        return ex;
    }

    private static double meanScore(SamplingResult r, List<TrainingExample> ex, int dim) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < ex.size(); i++) {
            float[] q = HashingEmbedder.vector(ex.get(i).query(), dim);
            for (String neg : r.examples().get(i).negatives()) {
                float[] v = HashingEmbedder.vector(neg, dim);
                for (int j = 0; j < dim; j++) {
                    sum += q[j] * v[j];
                }
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void minedNegativesAreHarderThanRandomOnesWithBgeCoreExactSearch() {
        Corpus corpus = topicCorpus();
        List<TrainingExample> ex = topicExamples(corpus);
        HashingEmbedder emb = new HashingEmbedder(64);
        SamplingResult mined = DenseNegativeMiner.builder().embedder(emb).rankWindow(1, 30).negativesPerQuery(8)
                .selection(Selection.TOP).build().sample(ex, corpus);
        SamplingResult random = RandomNegativeSampler.builder().negativesPerQuery(8).build().sample(ex, corpus);
        double minedMean = meanScore(mined, ex, 64);
        double randomMean = meanScore(random, ex, 64);
        assertTrue(minedMean > randomMean + 0.2, "mined " + minedMean + " vs random " + randomMean);
        // the hardest negatives are from the query's own topic
        for (int i = 0; i < ex.size(); i++) {
            String topicPrefix = "t" + (i / 4) + "d";
            long sameTopic = mined.provenance().get(i).stream().filter(s -> s.docId().startsWith(topicPrefix)).count();
            assertTrue(sameTopic >= 6, "example " + i + " got only " + sameTopic + " same-topic negatives");
            assertFalse(mined.examples().get(i).negatives().contains(ex.get(i).positives().get(0)));
        }
        assertEquals(0, mined.report().examplesToppedUp());
        assertEquals(160, mined.report().negativesProduced());
        assertEquals(0, mined.report().positivesNotInCorpus());
        assertEquals(1, emb.corpusCalls, "one corpus encoding; positives found verbatim in the corpus reuse its vectors");
    }

    @Test
    void absoluteMarginDropsNearDuplicatesOfThePositive() {
        List<CorpusDocument> docs = List.of(
                new CorpusDocument("pos", "", "reset your account password from the login page"),
                new CorpusDocument("dup", "", "reset your account password from the login page today"),
                new CorpusDocument("far1", "", "coffee beans roast"),
                new CorpusDocument("far2", "", "garden tomato soil"),
                new CorpusDocument("far3", "", "python pip install"));
        Corpus corpus = Corpus.of(docs);
        List<TrainingExample> ex = List.of(TrainingExample.of("reset account password login",
                List.of("reset your account password from the login page"), List.of()));
        DenseNegativeMiner.Builder b = DenseNegativeMiner.builder().embedder(new HashingEmbedder(256))
                .rankWindow(0, 5).negativesPerQuery(2).selection(Selection.TOP).topUpWithRandom(false)
                .searcher(new BruteForceSearcher());
        SamplingResult without = b.build().sample(ex, corpus);
        assertEquals("dup", without.provenance().get(0).get(0).docId(), "without a margin the near-duplicate ranks first");
        SamplingResult with = b.absoluteMargin(0.05).build().sample(ex, corpus);
        assertFalse(with.provenance().get(0).stream().anyMatch(s -> s.docId().equals("dup")));
        assertEquals(1, with.report().falseNegativesDropped());
        // scores: positive 0.707, near-duplicate 0.667; a 5% relative margin (limit 0.672) keeps it, 10% (0.636) drops it
        SamplingResult keeps = b.absoluteMargin(Double.NaN).relativeMargin(0.05).build().sample(ex, corpus);
        assertTrue(keeps.provenance().get(0).stream().anyMatch(s -> s.docId().equals("dup")));
        SamplingResult relative = b.absoluteMargin(Double.NaN).relativeMargin(0.10).build().sample(ex, corpus);
        assertFalse(relative.provenance().get(0).stream().anyMatch(s -> s.docId().equals("dup")));
        assertEquals(1, relative.report().candidatesSkippedAsPositive());
    }

    @Test
    void topsUpFromRandomAndReportsIt() {
        Corpus corpus = topicCorpus();
        // the query is the positive's own text, so the positive is rank 0
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String text = corpus.get(40 * i).fullText();
            ex.add(TrainingExample.of(text, List.of(text), List.of()));
        }
        SamplingResult r = DenseNegativeMiner.builder().embedder(new HashingEmbedder(64)).rankWindow(0, 3)
                .negativesPerQuery(5).searcher(new BruteForceSearcher()).build().sample(ex, corpus);
        // the window has 3 ranks, one of which is the positive: 2 mined + 3 topped up per example
        for (int i = 0; i < 3; i++) {
            assertEquals(5, r.examples().get(i).negatives().size());
            assertEquals(3, r.provenance().get(i).stream().filter(SampledNegative::toppedUp).count());
        }
        assertEquals(3, r.report().examplesToppedUp());
        assertEquals(9, r.report().negativesToppedUp());
        assertEquals(0, r.report().examplesShort());
    }

    @Test
    void sameSeedSameOutputAndWritesTeacherFreeJsonl() {
        Corpus corpus = topicCorpus();
        List<TrainingExample> ex = new ArrayList<>(topicExamples(corpus));
        ex.set(0, new TrainingExample(ex.get(0).query(), ex.get(0).positives(), List.of("old"), List.of(0.9),
                List.of(0.1), "Represent this: ", null, null));
        DenseNegativeMiner.Builder b = DenseNegativeMiner.builder().rankWindow(2, 40).negativesPerQuery(4)
                .searcher(new BruteForceSearcher()).seed(5);
        HashingEmbedder emb = new HashingEmbedder(64);
        SamplingResult a = b.embedder(emb).build().sample(ex, corpus);
        SamplingResult c = b.embedder(new HashingEmbedder(64)).build().sample(ex, corpus);
        assertEquals(a.examples(), c.examples());
        assertTrue(emb.queryCalls.contains("Represent this: " + ex.get(0).query()), "per-example prompt is used");
        assertFalse(a.examples().get(0).hasTeacherScores());
        SamplingResult other = b.seed(6).embedder(emb).build().sample(ex, corpus);
        assertFalse(a.examples().equals(other.examples()), "another seed draws other negatives from the window");
        Path out = dir.resolve("mined.jsonl");
        assertEquals(ex.size(), a.writeJsonl(out));
        assertEquals(a.examples().stream().map(e -> e.withSource("mined")).toList(),
                TrainingSet.readJsonl(out).examples());
    }

    @Test
    void usesTheEmbeddingCacheForTheCorpus() {
        Corpus corpus = topicCorpus();
        List<TrainingExample> ex = topicExamples(corpus);
        HashingEmbedder emb = new HashingEmbedder(32);
        DenseNegativeMiner miner = DenseNegativeMiner.builder().embedder(emb).rankWindow(0, 10).negativesPerQuery(3)
                .embeddingCache(EmbeddingCache.in(dir.resolve("cache"))).searcher(new BruteForceSearcher()).build();
        SamplingResult first = miner.sample(ex, corpus);
        int callsAfterFirst = emb.corpusCalls;
        SamplingResult second = miner.sample(ex, corpus);
        assertEquals(callsAfterFirst, emb.corpusCalls, "second run encodes nothing: corpus cached, positives are corpus documents");
        assertEquals(first.examples(), second.examples());
    }

    @Test
    void builderNamesBadOptions() {
        assertEquals("embedder is required; call embedder(...)", assertThrows(IllegalArgumentException.class,
                () -> DenseNegativeMiner.builder().build()).getMessage());
        assertEquals("relativeMargin must be in [0, 1) (or NaN for off), was 1.5", assertThrows(
                IllegalArgumentException.class, () -> DenseNegativeMiner.builder().embedder(new HashingEmbedder(4))
                        .relativeMargin(1.5).build()).getMessage());
        assertEquals("rank window 'to' (5) must be greater than 'from' (5)", assertThrows(
                IllegalArgumentException.class, () -> DenseNegativeMiner.builder().rankWindow(5, 5)).getMessage());
        assertEquals("negativesPerQuery must be at least 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> DenseNegativeMiner.builder().embedder(new HashingEmbedder(4)).negativesPerQuery(0).build())
                .getMessage());
    }
}

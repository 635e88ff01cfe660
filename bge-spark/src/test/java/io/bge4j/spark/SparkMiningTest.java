package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SampledNegative;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.data.sampling.TopKSearcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkMiningTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Corpus corpus;
    static List<TrainingExample> examples;
    static Path model;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session(tmp);
        corpus = SparkFixtures.corpus(90);
        examples = SparkFixtures.examples(corpus, 25);
        List<String> vocab = new ArrayList<>(corpus.fullTexts());
        examples.forEach(e -> vocab.add(e.query()));
        model = SparkFixtures.tinyModel(vocab, tmp.resolve("tiny"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static DenseNegativeMiner.Builder options(DenseNegativeMiner.Builder b, Selection selection) {
        return b.rankWindow(2, 40).negativesPerQuery(6).relativeMargin(0.0).selection(selection).seed(11);
    }

    static void assertSameMining(SamplingResult expected, SamplingResult actual, double scoreTolerance) {
        assertEquals(expected.report(), actual.report(), "report counts");
        assertEquals(expected.examples(), actual.examples(), "examples with their negatives, in order");
        assertEquals(expected.provenance().size(), actual.provenance().size());
        for (int i = 0; i < expected.provenance().size(); i++) {
            List<SampledNegative> a = expected.provenance().get(i);
            List<SampledNegative> b = actual.provenance().get(i);
            assertEquals(a.size(), b.size(), "negatives of example " + i);
            for (int j = 0; j < a.size(); j++) {
                assertEquals(a.get(j).docId(), b.get(j).docId());
                assertEquals(a.get(j).rank(), b.get(j).rank(), "rank of negative " + j + " of example " + i);
                assertEquals(a.get(j).toppedUp(), b.get(j).toppedUp());
                assertEquals(a.get(j).score(), b.get(j).score(), scoreTolerance);
            }
        }
    }

    @Test
    void sameVectorsGiveTheSingleNodeMinersResultExactly() {
        try (BgeModel m = BgeModel.load(model); Embedder local = m.embedder().batchSize(8).build()) {
            TopKSearcher sameChunks = (q, c, k) -> ExactSearch.builder().k(k).chunkSize(16).build().search(q, c);
            for (Selection s : Selection.values()) {
                SamplingResult single = options(DenseNegativeMiner.builder().embedder(local).searcher(sameChunks), s)
                        .build().sample(examples, corpus);
                SamplingResult spread = options(SparkMining.denseMiner(local,
                        SparkExactSearch.builder(spark).chunkSize(16).build()), s).build().sample(examples, corpus);
                assertSameMining(single, spread, 0.0);
                assertTrue(single.report().negativesProduced() > 0);
            }
        }
    }

    /**
     * End to end. The tiny random model scores every document within ~1e-5 of every other, so a
     * one-ulp difference from a different batch composition (padding) could swap neighbours; batch
     * size 1 on both sides encodes every text alone, so the vectors, and then the negatives, must be
     * equal. The bge-small test checks normal batches on a real score spread.
     */
    @Test
    void encodingAndSearchOnSparkGiveTheSingleNodeMinersNegatives() {
        SamplingResult single;
        try (BgeModel m = BgeModel.load(model); Embedder local = m.embedder().batchSize(1).build()) {
            single = options(DenseNegativeMiner.builder().embedder(local), Selection.TOP).build().sample(examples, corpus);
        }
        SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath(model.toString()).batchSize(1).partitions(3).build();
        SamplingResult spread = options(SparkMining.denseMiner(emb, SparkExactSearch.builder(spark).chunkSize(32)
                .build()), Selection.TOP).build().sample(examples, corpus);
        assertSameMining(single, spread, 0.0);
        // the counts compared above are not all trivially zero on this data
        assertTrue(single.report().negativesProduced() > 0 && single.report().candidatesSkippedAsPositive() > 0,
                single.report().toString());
    }

    @Test
    void writesFlagEmbeddingJsonlAndParquet() {
        SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath(model.toString()).build();
        SamplingResult r = options(SparkMining.denseMiner(emb, SparkExactSearch.builder(spark).chunkSize(40).build()),
                Selection.RANDOM).build().sample(examples, corpus);
        Path jsonl = tmp.resolve("mined.jsonl");
        r.writeJsonl(jsonl);
        assertEquals(r.examples(), TrainingSet.readJsonl(jsonl).examples().stream()
                .map(e -> e.withSource(r.examples().get(0).source())).toList());
        String parquet = tmp.resolve("mined.parquet").toString();
        SparkMining.writeParquet(spark, r, parquet);
        List<Row> rows = spark.read().parquet(parquet).collectAsList();
        assertEquals(r.examples().size(), rows.size());
        Row first = rows.stream().filter(x -> x.getString(0).equals(r.examples().get(0).query())).findFirst().orElseThrow();
        assertEquals(r.examples().get(0).negatives(), first.getList(2));
        List<Integer> ranks = r.provenance().get(0).stream().map(SampledNegative::rank).toList();
        assertEquals(ranks, first.getList(4));
        assertThrows(Exception.class, () -> SparkMining.writeParquet(spark, r, parquet), "must not overwrite");
    }
}

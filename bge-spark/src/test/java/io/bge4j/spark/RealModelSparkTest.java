package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bge-small-en-v1.5 (embedded weights, loaded by the executors by preset name) on a slice of the
 * shipped Debian corpus, with ordinary batches: Spark encoding matches the local embedder and the
 * mined negatives match the single-node miner's. Tagged slow (about 70 s on the shared 2-core
 * machine: two model loads and three encodings of the slice); run with {@code -Pslow}.
 */
@org.junit.jupiter.api.Tag("slow")
class RealModelSparkTest {
    static final String MODEL = "bge-small-en-v1.5";
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Corpus corpus;
    static List<TrainingExample> examples;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session(tmp);
        corpus = SparkFixtures.corpus(80);
        examples = SparkFixtures.examples(corpus, 20);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sparkEncodingAndMiningMatchSingleNode() {
        SparkEmbedder onSpark = SparkEmbedder.builder(spark).modelPath(MODEL).batchSize(16).maxLength(128).partitions(2)
                .build();
        try (BgeModel m = BgeModel.load(MODEL); Embedder local = m.embedder().batchSize(16).maxLength(128).build()) {
            List<String> texts = new ArrayList<>(corpus.fullTexts().subList(0, 30));
            float[][] a = local.encodeCorpus(texts);
            float[][] b = onSpark.encodeCorpus(texts);
            float[][] qa = local.encodeQueries(texts.subList(0, 5));
            float[][] qb = onSpark.encodeQueries(texts.subList(0, 5));
            for (int i = 0; i < a.length; i++) {
                assertTrue(cosine(a[i], b[i]) >= 0.9999, "document " + i + " cosine " + cosine(a[i], b[i]));
            }
            for (int i = 0; i < qa.length; i++) {
                assertTrue(cosine(qa[i], qb[i]) >= 0.9999, "query " + i);
                assertTrue(cosine(qa[i], a[i]) < 0.999, "the query instruction was applied to query " + i);
            }
            assertTrue(cosine(a[0], a[1]) < 0.95, "distinct documents get distinct vectors");

            SamplingResult single = DenseNegativeMiner.builder().embedder(local).rankWindow(2, 30).negativesPerQuery(5)
                    .relativeMargin(0.05).seed(4).build().sample(examples, corpus);
            SamplingResult spread = SparkMining.denseMiner(onSpark, SparkExactSearch.builder(spark).chunkSize(30).build())
                    .rankWindow(2, 30).negativesPerQuery(5).relativeMargin(0.05).seed(4).build().sample(examples, corpus);
            assertEquals(single.report(), spread.report());
            assertEquals(single.examples(), spread.examples());
            assertTrue(single.report().negativesProduced() > 0);
        }
    }

    static double cosine(float[] a, float[] b) {
        return BgeEmbeddingTransformerTest.cosineOf(a, b);
    }
}

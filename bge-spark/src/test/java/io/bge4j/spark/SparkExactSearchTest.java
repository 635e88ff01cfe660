package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.Exclusions;
import io.bge4j.core.search.SearchHits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkExactSearchTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static EmbeddingMatrix corpus;
    static EmbeddingMatrix queries;

    @BeforeAll
    static void start() {
        // Kryo here (the other test classes use Java serialization): chunks, query blocks and partial hits must survive both
        spark = SparkFixtures.session(tmp, "org.apache.spark.serializer.KryoSerializer");
        SplittableRandom rng = new SplittableRandom(3);
        float[][] c = new float[730][];
        for (int i = 0; i < c.length; i++) {
            // every 7th row repeats an earlier one, so equal scores occur within and across chunks
            c[i] = i % 7 == 6 ? c[(i * 31) % i].clone() : unit(rng, 16);
        }
        corpus = EmbeddingMatrix.of(c);
        float[][] q = new float[45][];
        for (int i = 0; i < q.length; i++) {
            q[i] = i % 9 == 0 ? c[i * 13].clone() : unit(rng, 16);
        }
        queries = EmbeddingMatrix.of(q);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static float[] unit(SplittableRandom rng, int d) {
        float[] v = new float[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) rng.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    static void assertSameHits(List<SearchHits> expected, List<SearchHits> actual) {
        assertEquals(expected.size(), actual.size());
        for (int q = 0; q < expected.size(); q++) {
            assertArrayEquals(expected.get(q).positions(), actual.get(q).positions(), "positions of query " + q);
            assertArrayEquals(expected.get(q).scores(), actual.get(q).scores(), "scores of query " + q);
        }
    }

    @Test
    void equalsSingleNodeExactSearchWithTheSameChunks() {
        int k = 40;
        List<SearchHits> single = ExactSearch.builder().k(k).chunkSize(100).queryBatchSize(16).build()
                .search(queries, corpus);
        List<SearchHits> spread = SparkExactSearch.builder(spark).chunkSize(100).queryBatchSize(16).queryBlockSize(32)
                .build().search(queries, corpus, k);
        assertSameHits(single, spread);
        // the duplicated rows do create ties in the merged lists, and they come out by lower position
        int ties = 0;
        for (SearchHits h : spread) {
            for (int j = 1; j < h.size(); j++) {
                if (h.scores()[j] == h.scores()[j - 1]) {
                    ties++;
                    assertTrue(h.positions()[j] > h.positions()[j - 1]);
                }
            }
        }
        assertTrue(ties > 0, "the fixture should produce tied scores");
    }

    @Test
    void independentBruteForceAgreesOnTheRanking() {
        int k = 10;
        List<SearchHits> spread = SparkExactSearch.builder(spark).chunkSize(64).build().search(queries, corpus, k);
        for (int q = 0; q < queries.rows(); q++) {
            float[] qv = queries.row(q);
            List<double[]> all = new ArrayList<>();
            for (int p = 0; p < corpus.rows(); p++) {
                double s = 0;
                for (int i = 0; i < qv.length; i++) {
                    s += (double) qv[i] * corpus.get(p, i);
                }
                all.add(new double[] {s, p});
            }
            all.sort((a, b) -> Math.abs(a[0] - b[0]) < 1e-6 ? Double.compare(a[1], b[1]) : Double.compare(b[0], a[0]));
            for (int j = 0; j < k; j++) {
                assertEquals((int) all.get(j)[1], spread.get(q).positions()[j], "query " + q + " rank " + j);
                assertEquals(all.get(j)[0], spread.get(q).scores()[j], 1e-5);
            }
        }
    }

    @Test
    void exclusionsAreHonouredLikeSingleNode() {
        Exclusions ex = q -> new int[] {q, q + 100, q * 13, 729};
        List<SearchHits> single = ExactSearch.builder().k(15).chunkSize(128).build().search(queries, corpus, ex);
        List<SearchHits> spread = SparkExactSearch.builder(spark).chunkSize(128).build().search(queries, corpus, 15, ex);
        assertSameHits(single, spread);
        for (int q = 0; q < queries.rows(); q++) {
            for (int p : spread.get(q).positions()) {
                assertTrue(p != q && p != q + 100 && p != q * 13 && p != 729);
            }
        }
    }

    @Test
    void aDataFrameCorpusGivesTheSameHits() {
        List<Row> rows = new ArrayList<>();
        for (int p = 0; p < corpus.rows(); p++) {
            rows.add(RowFactory.create((long) p, corpus.row(p)));
        }
        Collections.shuffle(rows, new java.util.Random(5));
        StructType schema = new StructType().add("pos", DataTypes.LongType)
                .add("vec", DataTypes.createArrayType(DataTypes.FloatType, false));
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
        List<SearchHits> single = ExactSearch.builder().k(20).chunkSize(150).build().search(queries, corpus);
        List<SearchHits> spread = SparkExactSearch.builder(spark).chunkSize(150).build()
                .search(queries, df, "pos", "vec", 20, Exclusions.none());
        assertSameHits(single, spread);
        List<SearchHits> none = SparkExactSearch.builder(spark).build()
                .search(queries, df.limit(0), "pos", "vec", 20, Exclusions.none());
        assertEquals(queries.rows(), none.size());
        assertTrue(none.stream().allMatch(h -> h.size() == 0), "an empty corpus gives empty hit lists");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkExactSearch.builder(spark)
                .build().search(queries, df, "position", "vec", 20, Exclusions.none()));
        assertTrue(e.getMessage().contains("'position'"), e.getMessage());
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkExactSearch.builder(spark).chunkSize(0).build());
        assertTrue(e.getMessage().contains("chunkSize"));
        e = assertThrows(IllegalArgumentException.class, () -> SparkExactSearch.builder(spark).queryBlockSize(0).build());
        assertTrue(e.getMessage().contains("queryBlockSize"));
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkExactSearch.builder(spark).queryBatchSize(16).queryBlockSize(20).build());
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkExactSearch.builder(spark).build().search(queries, corpus, 0));
        assertTrue(e.getMessage().contains("k must"));
    }
}

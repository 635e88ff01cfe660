package io.bge4j.core.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactSearchTest {

    private static float[][] randomUnitVectors(Random rnd, int n, int dim) {
        float[][] out = new float[n][dim];
        for (float[] v : out) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                v[j] = (float) rnd.nextGaussian();
                norm += v[j] * v[j];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dim; j++) {
                v[j] *= inv;
            }
        }
        return out;
    }

    /** Brute force in double precision: (score desc, position asc). */
    private static int[] bruteForce(float[] q, float[][] corpus, int k, int excluded) {
        double[] s = new double[corpus.length];
        for (int i = 0; i < corpus.length; i++) {
            double dot = 0;
            for (int j = 0; j < q.length; j++) {
                dot += (double) q[j] * corpus[i][j];
            }
            s[i] = dot;
        }
        return IntStream.range(0, corpus.length).filter(i -> i != excluded).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void matchesBruteForceAcrossChunksAndBatches() {
        Random rnd = new Random(7);
        float[][] corpus = randomUnitVectors(rnd, 1_000, 16);
        float[][] queries = randomUnitVectors(rnd, 37, 16);
        int k = 25;
        // chunk 1000 = one chunk; 97 = uneven multi-chunk; 10 < k = chunks smaller than k
        for (int chunk : new int[] {1_000, 97, 10}) {
            for (int batch : new int[] {1, 8, 64}) {
                ExactSearch search = ExactSearch.builder().k(k).chunkSize(chunk).queryBatchSize(batch).build();
                List<SearchHits> hits = search.search(queries, corpus);
                assertEquals(queries.length, hits.size());
                for (int q = 0; q < queries.length; q++) {
                    int[] expected = bruteForce(queries[q], corpus, k, -1);
                    assertArrayEquals(expected, hits.get(q).positions(),
                            "query " + q + " chunk " + chunk + " batch " + batch);
                    float[] sc = hits.get(q).scores();
                    for (int j = 0; j < k; j++) {
                        float dot = 0;
                        for (int d = 0; d < 16; d++) {
                            dot += queries[q][d] * corpus[expected[j]][d];
                        }
                        assertEquals(dot, sc[j], 1e-5);
                        if (j > 0) {
                            assertTrue(sc[j - 1] >= sc[j]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void flatAndRowInputsGiveTheSameHits() {
        Random rnd = new Random(3);
        float[][] corpus = randomUnitVectors(rnd, 300, 8);
        float[][] queries = randomUnitVectors(rnd, 5, 8);
        ExactSearch search = ExactSearch.builder().k(10).chunkSize(64).build();
        List<SearchHits> a = search.search(queries, corpus);
        List<SearchHits> b = search.search(EmbeddingMatrix.wrap(EmbeddingMatrix.of(queries).toFlatArray(), 8),
                EmbeddingMatrix.wrap(EmbeddingMatrix.of(corpus).toFlatArray(), 8));
        for (int q = 0; q < 5; q++) {
            assertArrayEquals(a.get(q).positions(), b.get(q).positions());
            assertArrayEquals(a.get(q).scores(), b.get(q).scores());
        }
    }

    @Test
    void tiesAreBrokenByLowerPositionEvenAcrossChunksAndAtTheCut() {
        // 30 identical documents (score 1 for the query) and 10 worse ones. With k = 4 and chunks
        // of 7 rows, the engine's top-k sees 7 tied scores per chunk and must not pick arbitrarily.
        float[][] corpus = new float[40][];
        for (int i = 0; i < 40; i++) {
            corpus[i] = i % 4 == 3 ? new float[] {0f, 1f} : new float[] {1f, 0f};
        }
        float[][] queries = {{1f, 0f}, {0f, 1f}};
        for (int chunk : new int[] {40, 7, 3}) {
            List<SearchHits> hits = ExactSearch.builder().k(4).chunkSize(chunk).build().search(queries, corpus);
            assertArrayEquals(new int[] {0, 1, 2, 4}, hits.get(0).positions(), "chunk " + chunk);
            assertArrayEquals(new int[] {3, 7, 11, 15}, hits.get(1).positions(), "chunk " + chunk);
            assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, hits.get(1).scores());
        }
    }

    @Test
    void excludesIdenticalIds() {
        Random rnd = new Random(11);
        float[][] corpus = randomUnitVectors(rnd, 200, 12);
        // queries are copies of documents 5, 50 and 150: each would find itself first
        float[][] queries = {corpus[5].clone(), corpus[50].clone(), corpus[150].clone()};
        List<String> docIds = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            docIds.add("d" + i);
        }
        List<String> queryIds = List.of("d5", "d50", "q-not-a-doc");
        ExactSearch search = ExactSearch.builder().k(5).chunkSize(30).build();
        List<SearchHits> plain = search.search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(corpus));
        assertEquals(5, plain.get(0).positions()[0]);
        assertEquals(50, plain.get(1).positions()[0]);
        List<SearchHits> hits = search.search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(corpus),
                Exclusions.identicalIds(queryIds, docIds));
        assertArrayEquals(bruteForce(queries[0], corpus, 5, 5), hits.get(0).positions());
        assertArrayEquals(bruteForce(queries[1], corpus, 5, 50), hits.get(1).positions());
        // third query's id matches no document: nothing excluded, it finds document 150 first
        assertEquals(150, hits.get(2).positions()[0]);
        assertEquals(5, hits.get(0).size());
    }

    @Test
    void kLargerThanCorpusReturnsEverythingAndExclusionShortensIt() {
        float[][] corpus = {{1f, 0f}, {0.5f, 0.5f}, {0f, 1f}};
        float[][] queries = {{1f, 0f}};
        SearchHits hits = ExactSearch.builder().k(10).chunkSize(2).build().search(queries, corpus).get(0);
        assertArrayEquals(new int[] {0, 1, 2}, hits.positions());
        assertArrayEquals(new float[] {1f, 0.5f, 0f}, hits.scores());
        SearchHits without = ExactSearch.builder().k(10).build()
                .search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(corpus), q -> new int[] {1}).get(0);
        assertArrayEquals(new int[] {0, 2}, without.positions());
    }

    @Test
    void emptyInputsAndBadOptions() {
        ExactSearch search = ExactSearch.builder().k(3).build();
        assertEquals(0, search.search(new float[0][], new float[][] {{1f}}).size());
        assertEquals(0, search.search(new float[][] {{1f}}, new float[0][]).get(0).size());
        assertThrows(IllegalArgumentException.class,
                () -> search.search(new float[][] {{1f, 0f}}, new float[][] {{1f, 0f, 0f}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExactSearch.builder().chunkSize(0).build());
        assertTrue(e.getMessage().contains("chunkSize"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExactSearch.builder().k(0).build())
                .getMessage().contains("k must"));
    }
}

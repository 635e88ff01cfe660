package io.bge4j.springai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;

/** Query/document routing, batching and Spring AI's SimpleVectorStore on a tiny random BERT. */
class BgeSpringAiEmbeddingModelTest {

    static final List<String> TEXTS = List.of("apt installs packages", "nginx serves web pages",
            "a text editor for the terminal", "python bindings for gtk", "fonts for cjk scripts");
    static final String INSTRUCTION = "search for: ";

    private static BgeModel bge;
    private static Embedder reference;

    @BeforeAll
    static void load() {
        bge = TinyModels.bert(List.of(String.join(" ", TEXTS), INSTRUCTION, "web server"), 11, 0.0);
        reference = bge.embedder().queryInstruction(INSTRUCTION).build();
    }

    @AfterAll
    static void close() {
        reference.close();
        bge.close();
    }

    private static BgeSpringAiEmbeddingModel model(BgeInputMode mode) {
        return BgeSpringAiEmbeddingModel.builder().embedder(reference).inputMode(mode).build();
    }

    private static final java.util.Map<String, float[]> QUERY_VECTORS = new java.util.HashMap<>();
    private static final java.util.Map<String, float[]> DOCUMENT_VECTORS = new java.util.HashMap<>();

    /** The reference query vector of {@code t} (memoised: each forward pass costs time on a shared machine). */
    private static float[] q(String t) {
        return QUERY_VECTORS.computeIfAbsent(t, x -> reference.encodeQueries(List.of(x))[0]);
    }

    private static float[] d(String t) {
        return DOCUMENT_VECTORS.computeIfAbsent(t, x -> reference.encodeCorpus(List.of(x))[0]);
    }

    @Test
    void autoModeTreatsBareStringsAsQueriesAndDocumentsAsDocuments() {
        BgeSpringAiEmbeddingModel m = model(BgeInputMode.AUTO);
        String t = TEXTS.get(1);
        assertArrayEquals(q(t), m.embed(t), 1e-6f);
        assertArrayEquals(d(t), m.embed(new Document(t)), 1e-6f);
        List<float[]> list = m.embed(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertArrayEquals(d(TEXTS.get(i)), list.get(i), 1e-6f, "embed(List<String>) text " + i);
        }
        assertFalse(cosine(q(t), d(t)) > 0.999999, "the instruction must change the vector");
    }

    @Test
    void optionsOverrideTheModeAndFixedModesApplyEverywhere() {
        String t = TEXTS.get(2);
        EmbeddingResponse r = model(BgeInputMode.AUTO).call(new EmbeddingRequest(List.of(t), BgeEmbeddingOptions.query()));
        assertArrayEquals(q(t), r.getResults().get(0).getOutput(), 1e-6f);
        assertEquals(0, r.getResults().get(0).getIndex());
        assertEquals("bge4j", r.getMetadata().getModel(), "an adapter over a bare embedder has no model name of its own");
        EmbeddingResponse r2 = model(BgeInputMode.QUERY).call(new EmbeddingRequest(List.of(t), BgeEmbeddingOptions.document()));
        assertArrayEquals(d(t), r2.getResults().get(0).getOutput(), 1e-6f);

        BgeSpringAiEmbeddingModel query = model(BgeInputMode.QUERY);
        assertArrayEquals(q(t), query.embed(t), 1e-6f);
        assertArrayEquals(q(t), query.embed(new Document(t)), 1e-6f);
        assertArrayEquals(q(t), query.embed(List.of(t)).get(0), 1e-6f);
        BgeSpringAiEmbeddingModel document = model(BgeInputMode.DOCUMENT);
        assertArrayEquals(d(t), document.embed(t), 1e-6f);
        assertArrayEquals(q(t), document.embedQueries(List.of(t)).get(0), 1e-6f, "embedQueries ignores the mode");
        assertArrayEquals(d(t), query.embedDocuments(List.of(t)).get(0), 1e-6f, "embedDocuments ignores the mode");
    }

    @Test
    void documentListsFollowTheBatchingStrategyAndKeepOrder() {
        BgeSpringAiEmbeddingModel m = BgeSpringAiEmbeddingModel.builder().model(bge).batchSize(2)
                .queryInstruction(INSTRUCTION).build();
        List<Document> docs = TEXTS.stream().map(Document::new).toList();
        List<Integer> batchSizes = new ArrayList<>();
        BatchingStrategy pairs = all -> {
            List<List<Document>> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i += 2) {
                out.add(all.subList(i, Math.min(all.size(), i + 2)));
                batchSizes.add(out.get(out.size() - 1).size());
            }
            return out;
        };
        List<float[]> got = m.embed(docs, EmbeddingOptions.builder().build(), pairs);
        assertEquals(List.of(2, 2, 1), batchSizes);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertArrayEquals(d(TEXTS.get(i)), got.get(i), 1e-5f, "document " + i);
            assertEquals(1.0, Math.sqrt(dot(got.get(i), got.get(i))), 1e-5, "L2 norm " + i);
        }
        List<float[]> asQueries = m.embed(docs, BgeEmbeddingOptions.query(), pairs);
        assertArrayEquals(q(TEXTS.get(4)), asQueries.get(4), 1e-5f);
        assertEquals(32, m.dimensions());
        m.close();
    }

    @Test
    void simpleVectorStoreSearchesWithInstructedQueriesOverPlainDocuments() {
        BgeSpringAiEmbeddingModel m = model(BgeInputMode.AUTO);
        SimpleVectorStore store = SimpleVectorStore.builder(m).build();
        store.add(IntStream.range(0, TEXTS.size()).mapToObj(i -> new Document("d" + i, TEXTS.get(i), java.util.Map.of()))
                .toList());
        String query = "web server";
        List<Document> hits = store.similaritySearch(SearchRequest.builder().query(query).topK(3).build());
        float[] qv = q(query);
        List<Integer> want = IntStream.range(0, TEXTS.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -cosine(qv, d(TEXTS.get(i))))).limit(3).toList();
        assertEquals(3, hits.size());
        for (int r = 0; r < 3; r++) {
            assertEquals("d" + want.get(r), hits.get(r).getId(), "rank " + (r + 1));
            assertEquals(cosine(qv, d(TEXTS.get(want.get(r)))), hits.get(r).getScore(), 1e-5, "score at rank " + (r + 1));
        }
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        BgeSpringAiEmbeddingModel m = model(BgeInputMode.AUTO);
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
                () -> m.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().dimensions(16).build())));
        assertTrue(dims.getMessage().contains("16 dimensions") && dims.getMessage().contains("32"), dims.getMessage());
        assertEquals(32, m.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().dimensions(32).build()))
                .getResults().get(0).getOutput().length);
        assertTrue(assertThrows(IllegalStateException.class, () -> BgeSpringAiEmbeddingModel.builder().build())
                .getMessage().contains("model(BgeModel)"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> BgeSpringAiEmbeddingModel.builder().embedder(reference).batchSize(4).build()).getMessage()
                .contains("batchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BgeSpringAiEmbeddingModel.builder().model(bge).batchSize(0).build()).getMessage()
                .contains("batchSize must be >= 1"));
    }

    @Test
    void concurrentCallsGiveTheSequentialVectors() throws Exception {
        BgeSpringAiEmbeddingModel m = model(BgeInputMode.AUTO);
        List<float[]> want = m.embed(TEXTS);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<float[]>>> futures = new ArrayList<>();
            for (int call = 0; call < 12; call++) {
                int shift = call % TEXTS.size();
                futures.add(pool.submit(() -> {
                    List<String> rotated = new ArrayList<>(TEXTS.subList(shift, TEXTS.size()));
                    rotated.addAll(TEXTS.subList(0, shift));
                    return m.embed(rotated);
                }));
            }
            for (int call = 0; call < futures.size(); call++) {
                List<float[]> got = futures.get(call).get(60, java.util.concurrent.TimeUnit.SECONDS);
                int shift = call % TEXTS.size();
                for (int i = 0; i < TEXTS.size(); i++) {
                    assertArrayEquals(want.get((i + shift) % TEXTS.size()), got.get(i), 1e-5f, "call " + call + " text " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static double cosine(float[] a, float[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }
}

package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing of langchain4j's input type onto bge4j's query/document encoding, on a tiny random BERT. */
class BgeLangChain4jEmbeddingModelTest {

    private static final List<String> TEXTS = List.of("apt installs packages", "nginx serves web pages",
            "a text editor for the terminal", "python bindings for gtk", "fonts for cjk scripts");
    private static final String INSTRUCTION = "search for: ";

    private static BgeModel bge;
    private static Embedder reference;

    @BeforeAll
    static void load() {
        bge = TinyModels.bert(List.of(String.join(" ", TEXTS), INSTRUCTION), 7, 0.0);
        reference = bge.embedder().queryInstruction(INSTRUCTION).build();
    }

    @AfterAll
    static void close() {
        reference.close();
        bge.close();
    }

    private static float[] vector(Embedding e) {
        return e.vector();
    }

    @Test
    void queryInputTypeAddsTheInstructionAndDocumentDoesNot() {
        try (var model = BgeLangChain4jEmbeddingModel.builder().model(bge).queryInstruction(INSTRUCTION).build()) {
            EmbeddingResponse q = model.embed(EmbeddingRequest.builder().inputs(TEXTS.toArray(String[]::new))
                    .inputType(EmbeddingInputType.QUERY).build());
            EmbeddingResponse d = model.embed(EmbeddingRequest.builder().inputs(TEXTS.toArray(String[]::new))
                    .inputType(EmbeddingInputType.DOCUMENT).build());
            float[][] wantQ = reference.encodeQueries(TEXTS);
            float[][] wantD = reference.encodeCorpus(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(wantQ[i], vector(q.embeddings().get(i)), 1e-6f, "query " + i);
                assertArrayEquals(wantD[i], vector(d.embeddings().get(i)), 1e-6f, "document " + i);
                assertFalse(cosine(wantQ[i], wantD[i]) > 0.999999, "instruction must change the vector of text " + i);
            }
            assertEquals(bge.name(), q.metadata().modelName());
        }
    }

    @Test
    void callsWithoutInputTypeUseTheDefaultAndTheViewsFlipIt() {
        try (var model = BgeLangChain4jEmbeddingModel.builder().embedder(reference).build()) {
            assertEquals(EmbeddingInputType.DOCUMENT, model.defaultInputType());
            String t = TEXTS.get(1);
            float[] q = reference.encodeQueries(List.of(t))[0];
            float[] d = reference.encodeCorpus(List.of(t))[0];
            assertArrayEquals(d, vector(model.embed(t).content()), 1e-6f);
            assertArrayEquals(q, vector(model.forQueries().embed(t).content()), 1e-6f);
            assertArrayEquals(d, vector(model.forQueries().forDocuments().embed(t).content()), 1e-6f);
            // an explicit input type wins over the view's default
            EmbeddingResponse explicit = model.forQueries().embed(EmbeddingRequest.builder().input(t)
                    .inputType(EmbeddingInputType.DOCUMENT).build());
            assertArrayEquals(d, vector(explicit.embeddings().get(0)), 1e-6f);
        }
        try (var model = BgeLangChain4jEmbeddingModel.builder().embedder(reference)
                .defaultInputType(EmbeddingInputType.QUERY).build()) {
            assertArrayEquals(reference.encodeQueries(List.of(TEXTS.get(2)))[0],
                    vector(model.embed(TextSegment.from(TEXTS.get(2))).content()), 1e-6f);
        }
    }

    @Test
    void embedAllKeepsOrderAcrossBatchesAndReportsTheDimension() {
        try (var model = BgeLangChain4jEmbeddingModel.builder().model(bge).batchSize(2).build()) {
            List<Embedding> got = model.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content();
            float[][] want = reference.encodeCorpus(TEXTS);
            assertEquals(TEXTS.size(), got.size());
            for (int i = 0; i < want.length; i++) {
                assertArrayEquals(want[i], vector(got.get(i)), 1e-5f, "text " + i);
                assertEquals(1.0, Math.sqrt(dot(vector(got.get(i)), vector(got.get(i)))), 1e-5, "L2 norm of text " + i);
            }
            assertEquals(32, model.dimension());
            assertEquals(bge.dimension(), model.dimension());
        }
    }

    @Test
    void otherPerCallParametersAreRejectedNotIgnored() {
        try (var model = BgeLangChain4jEmbeddingModel.of(bge)) {
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> model.embed(EmbeddingRequest.builder().input("x").dimensions(16).build()));
            assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
        }
    }

    @Test
    void builderNamesTheBadOption() {
        assertTrue(assertThrows(IllegalStateException.class, () -> BgeLangChain4jEmbeddingModel.builder().build())
                .getMessage().contains("model(BgeModel)"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> BgeLangChain4jEmbeddingModel.builder().model(bge).embedder(reference)).getMessage()
                .contains("already set"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> BgeLangChain4jEmbeddingModel.builder().embedder(reference).batchSize(8).build()).getMessage()
                .contains("batchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BgeLangChain4jEmbeddingModel.builder().model(bge).batchSize(0).build()).getMessage()
                .contains("batchSize must be >= 1"));
    }

    @Test
    void closingTheAdapterLeavesABorrowedEmbedderUsable() {
        BgeLangChain4jEmbeddingModel model = BgeLangChain4jEmbeddingModel.builder().embedder(reference).modelName("mine")
                .build();
        assertEquals("mine", model.modelName());
        model.close();
        assertEquals(TEXTS.size(), reference.encodeCorpus(TEXTS).length);
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

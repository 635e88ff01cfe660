package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matryoshka truncation in the embedder and the trained dimensions saved with a model. */
class MatryoshkaEmbedderTest {

    private static final List<String> TEXTS = List.of("short text", "a much longer text with many words in it",
            "medium sized text", "x");

    @Test
    void truncatedVectorsAreTheLeadingComponentsRenormalisedOnBothBackends() {
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            int full = m.dimension();
            int d = full / 4;
            for (BgeEmbedder.Backend backend : List.of(BgeEmbedder.Backend.TORCH, BgeEmbedder.Backend.ONNX)) {
                float[][] all;
                float[][] cut;
                try (BgeEmbedder e = m.embedder().backend(backend).build()) {
                    all = e.encode(TEXTS);
                    assertEquals(full, e.dimension());
                }
                try (BgeEmbedder e = m.embedder().backend(backend).dimension(d).build()) {
                    cut = e.encode(TEXTS);
                    assertEquals(d, e.dimension());
                }
                for (int i = 0; i < TEXTS.size(); i++) {
                    assertEquals(d, cut[i].length);
                    double norm = 0;
                    for (int j = 0; j < d; j++) {
                        norm += (double) all[i][j] * all[i][j];
                    }
                    norm = Math.sqrt(norm);
                    double unit = 0;
                    for (int j = 0; j < d; j++) {
                        assertEquals(all[i][j] / norm, cut[i][j], 1e-6, backend + " text " + i + " component " + j);
                        unit += (double) cut[i][j] * cut[i][j];
                    }
                    assertEquals(1.0, unit, 1e-5);
                }
            }
        }
    }

    @Test
    void truncationOfAnUnnormalisedModelDoesNotRescale() {
        float[] v = {3f, 4f, 12f};
        float[] kept = BgeEmbedder.truncate(v, 2, false);
        assertEquals(3f, kept[0]);
        assertEquals(4f, kept[1]);
        float[] unit = BgeEmbedder.truncate(v, 2, true);
        assertEquals(0.6f, unit[0], 1e-7);
        assertEquals(0.8f, unit[1], 1e-7);
    }

    @Test
    void dimensionIsValidatedAndChangesTheFingerprint() {
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                    () -> m.embedder().dimension(m.dimension() + 1).build());
            assertTrue(tooBig.getMessage().contains("dimension must be in [1, " + m.dimension() + "]"), tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.embedder().dimension(-1).build());
            try (BgeEmbedder full = m.embedder().backend(BgeEmbedder.Backend.TORCH).build();
                    BgeEmbedder same = m.embedder().backend(BgeEmbedder.Backend.TORCH).dimension(m.dimension()).build();
                    BgeEmbedder cut = m.embedder().backend(BgeEmbedder.Backend.TORCH).dimension(8).build()) {
                assertEquals(full.fingerprint(), same.fingerprint());
                assertNotEquals(full.fingerprint(), cut.fingerprint());
            }
        }
    }

    @Test
    void trainedDimensionsAreSavedLoadedAndCopied(@TempDir Path dir) throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            assertEquals(List.of(), m.matryoshkaDimensions());
            m.setMatryoshkaDimensions(List.of(8, m.dimension(), 16));
            assertEquals(List.of(m.dimension(), 16, 8), m.matryoshkaDimensions());
            m.save(dir);
            String st = Files.readString(dir.resolve("config_sentence_transformers.json"));
            assertTrue(st.contains("\"bge4j_matryoshka_dimensions\""), st);
            try (BgeModel back = BgeModel.load(dir); BgeModel copy = m.copy()) {
                assertEquals(m.matryoshkaDimensions(), back.matryoshkaDimensions());
                assertEquals(m.matryoshkaDimensions(), copy.matryoshkaDimensions());
            }
            m.setMatryoshkaDimensions(List.of());
            m.save(dir);
            assertTrue(!Files.readString(dir.resolve("config_sentence_transformers.json"))
                    .contains("bge4j_matryoshka_dimensions"));
        }
    }

    @Test
    void badDimensionsAreRefusedWithTheFieldNamed(@TempDir Path dir) throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            assertThrows(IllegalArgumentException.class, () -> m.setMatryoshkaDimensions(List.of(8, 8)));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> m.setMatryoshkaDimensions(List.of(m.dimension() + 1)));
            assertTrue(big.getMessage().contains("outside [1, " + m.dimension() + "]"), big.getMessage());
            m.save(dir);
            Path st = dir.resolve("config_sentence_transformers.json");
            Files.writeString(st, Files.readString(st).replaceFirst("\\{", "{\"bge4j_matryoshka_dimensions\": \"64\","));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> BgeModel.load(dir).close());
            assertTrue(e.getMessage().contains("config_sentence_transformers.json")
                    && e.getMessage().contains("bge4j_matryoshka_dimensions"), e.getMessage());
        }
    }
}

package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.onnx.OnnxExportOptions;
import io.bge4j.core.onnx.OnnxExporter;
import io.bge4j.core.onnx.OnnxRuntimeEncoder;
import io.bge4j.core.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported ONNX file in ONNX Runtime, and the ONNX Runtime backend of {@link BgeEmbedder}, against
 * bge4j's libtorch forward on the real bge-small-en-v1.5 and bge-small-zh-v1.5 weights and the mixed texts
 * of {@link ParityTest} (over-long, CJK, emoji, one character, empty). The Chinese model runs with {@code -Pslow}.
 */
class OnnxBackendParityTest {

    private static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += (double) a[i][j] * b[i][j];
            }
            min = Math.min(min, dot);
        }
        return min;
    }

    private static void check(BgePreset preset, Path dir) {
        List<String> texts = ParityTest.texts();
        try (BgeModel model = BgeModel.load(preset.modelName());
                BgeEmbedder torch = model.embedder().batchSize(7).backend(BgeEmbedder.Backend.TORCH).build();
                BgeEmbedder onnx = model.embedder().batchSize(7).build()) {
            assertEquals(BgeEmbedder.Backend.ONNX, onnx.backend(), "a CPU model defaults to ONNX Runtime");
            float[][] ref = torch.encode(texts);
            float[][] viaBackend = onnx.encode(texts);
            double c1 = minCosine(ref, viaBackend);
            assertTrue(c1 >= 0.9999, preset + ": ONNX backend vs libtorch min cosine " + c1);

            Path file = OnnxExporter.export(model, dir, OnnxExportOptions.defaults());
            long[][] ids = model.tokenizer().encode(texts, model.maxLength());
            float[][] viaFile = new float[texts.size()][];
            try (OnnxRuntimeEncoder ort = OnnxRuntimeEncoder.open(file, 2)) {
                for (int i = 0; i < ids.length; i++) {
                    viaFile[i] = ort.embed(new long[][] {ids[i]})[0]; // each text alone, unpadded
                }
            }
            double c2 = minCosine(ref, viaFile);
            assertTrue(c2 >= 0.9999, preset + ": exported file in ORT vs libtorch min cosine " + c2);
        }
    }

    @Test
    void bgeSmallEnExportAndBackendMatchLibtorch(@TempDir Path dir) {
        check(BgePreset.BGE_SMALL_EN_V15, dir);
    }

    @Test
    @Tag("slow") // the same code path as the English model; ~1 min of real-model encoding
    void bgeSmallZhExportAndBackendMatchLibtorch(@TempDir Path dir) {
        check(BgePreset.BGE_SMALL_ZH_V15, dir);
    }

    @Test
    void bothBackendsGiveTheSameVectorsOnTinyModelsAndTheFlagForcesEither() {
        List<String> texts = List.of("apt installs packages", "a", "dpkg unpacks archives and configures them", "");
        for (BgeModel m : new BgeModel[] {TinyModels.bert(texts, 3, 0.0), TinyModels.xlmRoberta(texts, 4)}) {
            try (m; BgeEmbedder t = m.embedder().backend(BgeEmbedder.Backend.TORCH).build();
                    BgeEmbedder o = m.embedder().backend(BgeEmbedder.Backend.ONNX).tokenBudget(8).build()) {
                float[][] a = t.encodeQueries(texts);
                float[][] b = o.encodeQueries(texts);
                for (int i = 0; i < a.length; i++) {
                    for (int k = 0; k < a[i].length; k++) {
                        assertEquals(a[i][k], b[i][k], 2e-5, m.name() + " text " + i);
                    }
                }
                assertTrue(!t.fingerprint().equals(o.fingerprint()), "the backend is part of the fingerprint");
            }
            String old = System.getProperty(BgeEmbedder.BACKEND_PROPERTY);
            try (BgeModel m2 = TinyModels.bert(texts, 3, 0.0)) {
                System.setProperty(BgeEmbedder.BACKEND_PROPERTY, "torch");
                try (BgeEmbedder e = m2.embedder().build()) {
                    assertEquals(BgeEmbedder.Backend.TORCH, e.backend());
                }
                System.setProperty(BgeEmbedder.BACKEND_PROPERTY, "onnx");
                try (BgeEmbedder e = m2.embedder().backend(BgeEmbedder.Backend.TORCH).build()) {
                    assertEquals(BgeEmbedder.Backend.TORCH, e.backend(), "an explicit backend wins over the property");
                }
            } finally {
                if (old == null) {
                    System.clearProperty(BgeEmbedder.BACKEND_PROPERTY);
                } else {
                    System.setProperty(BgeEmbedder.BACKEND_PROPERTY, old);
                }
            }
        }
    }
}

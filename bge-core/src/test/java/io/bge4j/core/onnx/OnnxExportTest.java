package io.bge4j.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.onnx.OnnxExportOptions.Graph;
import io.bge4j.core.onnx.OnnxExportOptions.Precision;
import io.bge4j.core.testing.TinyModels;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported graph, run by ONNX Runtime, against bge4j's libtorch encoder on tiny random BERT and
 * XLM-R models: per-token hidden states and pooled embeddings of a padded batch of mixed lengths, for
 * the fused and the plain graph.
 */
class OnnxExportTest {

    static final List<String> TEXTS = List.of("apt installs packages", "a",
            "the quick brown fox jumps over the lazy dog and the packages install themselves quickly",
            "dpkg unpacks archives", "web server for static files and proxies", "");

    /** Runs the exported bytes with ORT; returns {last_hidden_state rows flattened per text (valid tokens), pooled}. */
    static float[][][] runOrt(byte[] onnx, long[][] ids) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int longest = 0;
        for (long[] s : ids) {
            longest = Math.max(longest, s.length);
        }
        long[] flat = new long[ids.length * longest];
        long[] mask = new long[flat.length];
        java.util.Arrays.fill(flat, 0);
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * longest, ids[i].length);
            java.util.Arrays.fill(mask, i * longest, i * longest + ids[i].length, 1L);
        }
        long[] shape = {ids.length, longest};
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(onnx, o)) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (s.getInputNames().contains("token_type_ids")) {
                in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]), shape));
            }
            try (OrtSession.Result r = s.run(in)) {
                float[][][] hidden = (float[][][]) r.get(OnnxExporter.LAST_HIDDEN_STATE).orElseThrow().getValue();
                float[][] pooled = (float[][]) r.get(OnnxExporter.SENTENCE_EMBEDDING).orElseThrow().getValue();
                float[][][] out = new float[ids.length + 1][][];
                for (int i = 0; i < ids.length; i++) {
                    out[i] = java.util.Arrays.copyOf(hidden[i], ids[i].length);
                }
                out[ids.length] = pooled;
                return out;
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** bge4j's libtorch forward: hidden states of the valid tokens of each text, padded batch. */
    static float[][][] torchHidden(BgeModel model, long[][] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray[] in = BgeEmbedder.pad(m, ids, model.config().padTokenId());
            NDArray h = model.encoder().forward(in[0], in[1], false);
            int t = (int) h.getShape().get(1);
            int d = (int) h.getShape().get(2);
            float[] flat = h.toFloatArray();
            float[][][] out = new float[ids.length][][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = new float[ids[i].length][];
                for (int j = 0; j < ids[i].length; j++) {
                    out[i][j] = java.util.Arrays.copyOfRange(flat, (i * t + j) * d, (i * t + j + 1) * d);
                }
            }
            return out;
        }
    }

    static double maxAbsDiff(float[][][] a, float[][][] b, int texts) {
        double max = 0;
        for (int i = 0; i < texts; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int j = 0; j < a[i].length; j++) {
                for (int k = 0; k < a[i][j].length; k++) {
                    max = Math.max(max, Math.abs(a[i][j][k] - b[i][j][k]));
                }
            }
        }
        return max;
    }

    static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += (double) a[i][j] * b[i][j];
                na += (double) a[i][j] * a[i][j];
                nb += (double) b[i][j] * b[i][j];
            }
            min = Math.min(min, dot / Math.sqrt(na * nb));
        }
        return min;
    }

    private static void checkHidden(BgeModel model, Graph graph) throws Exception {
        long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
        byte[] bytes = OnnxExporter.toBytes(model, OnnxExportOptions.defaults().withGraph(graph));
        float[][][] ort = runOrt(bytes, ids);
        float[][][] torch = torchHidden(model, ids);
        double diff = maxAbsDiff(ort, torch, ids.length);
        assertTrue(diff < 2e-5, model.name() + " " + graph + ": max |hidden difference| " + diff);
        float[][] emb;
        try (BgeEmbedder e = model.embedder().backend(BgeEmbedder.Backend.TORCH).build()) {
            emb = e.encode(TEXTS);
        }
        float[][] pooled = ort[ids.length];
        for (int i = 0; i < emb.length; i++) {
            for (int k = 0; k < emb[i].length; k++) {
                assertEquals(emb[i][k], pooled[i][k], 2e-5, model.name() + " " + graph + " pooled text " + i);
            }
        }
    }

    @Test
    void tinyBertFusedAndPlainMatchLibtorch() throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 7, 0.0)) {
            checkHidden(m, Graph.FUSED);
            checkHidden(m, Graph.PLAIN);
        }
    }

    @Test
    void tinyXlmRobertaFusedAndPlainMatchLibtorch() throws Exception {
        try (BgeModel m = TinyModels.xlmRoberta(TEXTS, 11)) {
            checkHidden(m, Graph.FUSED);
            checkHidden(m, Graph.PLAIN);
        }
    }

    @Test
    void embeddingOnlyGraphGivesThePooledOutputOfTheFullGraph() throws Exception {
        try (BgeModel m = TinyModels.xlmRoberta(TEXTS, 3);
                OnnxRuntimeEncoder enc = OnnxRuntimeEncoder.forModel(m, OnnxExportOptions.defaults(), 1)) {
            long[][] ids = m.tokenizer().encode(TEXTS, m.maxLength());
            float[][] full = runOrt(OnnxExporter.toBytes(m, OnnxExportOptions.defaults()), ids)[ids.length];
            float[][] fast = enc.embed(ids);
            for (int i = 0; i < full.length; i++) {
                for (int k = 0; k < full[i].length; k++) {
                    assertEquals(full[i][k], fast[i][k], 1e-5);
                }
            }
        }
    }

    @Test
    void reducedPrecisionsStayClose() throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 5, 0.0)) {
            long[][] ids = m.tokenizer().encode(TEXTS, m.maxLength());
            float[][][] ref = runOrt(OnnxExporter.toBytes(m, OnnxExportOptions.defaults()), ids);
            for (Graph g : Graph.values()) {
                for (Precision p : new Precision[] {Precision.FP16, Precision.INT8}) {
                    float[][][] got = runOrt(OnnxExporter.toBytes(m, OnnxExportOptions.defaults().withGraph(g)
                            .withPrecision(p)), ids);
                    double diff = maxAbsDiff(ref, got, ids.length);
                    // fp16 rounds weights to 11 significant bits; int8 to 1/127 of each column's range
                    double bound = p == Precision.FP16 ? 5e-3 : 0.15;
                    assertTrue(diff < bound, g + "/" + p + ": max |hidden difference| " + diff);
                    assertTrue(diff > 0, g + "/" + p + " must change the weights");
                }
            }
        }
    }

    @Test
    void exportWritesTheLangchain4jLayoutAndRefusesForeignFiles(@TempDir Path dir) throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 5, 0.0)) {
            Path onnx = OnnxExporter.export(m, dir.resolve("out"), OnnxExportOptions.defaults());
            assertTrue(Files.size(onnx) > 0);
            assertTrue(Files.isRegularFile(dir.resolve("out/tokenizer.json")));
            OnnxExporter.export(m, dir.resolve("out"), OnnxExportOptions.defaults()); // re-export over our own files
            try (OnnxRuntimeEncoder enc = OnnxRuntimeEncoder.open(onnx, 1)) {
                assertEquals(32, enc.dimension());
            }
            Files.createDirectories(dir.resolve("foreign"));
            Files.writeString(dir.resolve("foreign/model.onnx"), "not ours");
            io.bge4j.core.Bge4jException e = org.junit.jupiter.api.Assertions.assertThrows(io.bge4j.core.Bge4jException.class,
                    () -> OnnxExporter.export(m, dir.resolve("foreign"), OnnxExportOptions.defaults()));
            assertTrue(e.getMessage().contains("was not written by bge4j"), e.getMessage());
            assertEquals("not ours", Files.readString(dir.resolve("foreign/model.onnx")));
        }
    }

    @Test
    void halfConversionRoundsToNearestEven() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals((short) 0x7bff, Half.fromFloat(65504f));
        assertEquals((short) 0x7c00, Half.fromFloat(65520f)); // halfway to the next binade rounds up to infinity
        assertEquals((short) 0x3555, Half.fromFloat(1f / 3f));
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f)); // smallest subnormal
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-26f));
        assertEquals((short) 0x3c00, Half.fromFloat(1f + 0x1p-11f)); // tie → even (1.0)
        assertEquals((short) 0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f)); // tie → even (1 + 2^-9)
        for (float f : new float[] {0.1f, -3.75f, 1e-5f, 1234.5f}) {
            assertEquals(f, Half.toFloat(Half.fromFloat(f)), Math.abs(f) * 1e-3 + 6e-8);
        }
    }
}

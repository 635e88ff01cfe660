package io.bge4j.train.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelMergerTest {

    static final List<String> TEXTS = List.of("apt installs packages", "nginx serves web pages",
            "vim edits text files", "a fast http server");

    @TempDir
    Path tmp;

    @Test
    void weightsMustSumToOneFromAboveAndBelow() {
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> ModelMerger.builder().add("a", 0.6).add("b", 0.5).build());
        assertTrue(high.getMessage().contains("sum to 1.1") && high.getMessage().contains("too high"), high.getMessage());
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> ModelMerger.builder().add("a", 0.4).add("b", 0.5).build());
        assertTrue(low.getMessage().contains("too low"), low.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelMerger.builder().add("a", 1.0).build());
        assertThrows(IllegalArgumentException.class, () -> ModelMerger.builder().add("a", -0.5).add("b", 1.5).build());
        // within the tolerance is accepted
        ModelMerger.builder().add("a", 0.3).add("b", 0.7 + 1e-9).build();
    }

    /** Hand-written files: w = 0.25·[1,2,3] + 0.75·[3,6,9] = [2.5,5,7.5]; F16 input read; I64 tensor copied. */
    @Test
    void linearMergeOfHandWrittenTensorsCopiesIntegers() throws Exception {
        Path a = layoutDir("a");
        Path b = layoutDir("b");
        writeRaw(a.resolve("model.safetensors"), new float[] {1, 2, 3}, new float[] {1, -2}, new long[] {0, 1, 2});
        writeRaw(b.resolve("model.safetensors"), new float[] {3, 6, 9}, new float[] {3, 2}, new long[] {0, 1, 2});
        MergeResult r = ModelMerger.builder().add(a.toString(), 0.25).add(b.toString(), 0.75).build()
                .mergeTo(tmp.resolve("merged"));
        assertEquals(2, r.mergedTensors());
        assertEquals(1, r.copiedTensors());
        try (TensorFile f = TensorFile.open(r.directory().resolve("model.safetensors"))) {
            assertEquals("F32", f.entries().get("w").dtype());
            assertEquals("F32", f.entries().get("h").dtype());
            assertEquals("I64", f.entries().get("ids").dtype());
            double[] w = new double[3];
            f.accumulate(f.entries().get("w"), 1.0, w);
            assertArrayEquals(new double[] {2.5, 5, 7.5}, w, 1e-7);
            double[] h = new double[2];
            f.accumulate(f.entries().get("h"), 1.0, h);
            assertArrayEquals(new double[] {2.5, 1.0}, h, 1e-7); // 0.25·1 + 0.75·3, 0.25·(−2) + 0.75·2
            ByteBuffer ids = ByteBuffer.wrap(f.raw(f.entries().get("ids"))).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, ids.getLong());
            assertEquals(1, ids.getLong());
            assertEquals(2, ids.getLong());
        }
        String card = Files.readString(r.directory().resolve("README.md"));
        assertTrue(card.contains("| `" + a + "` | 0.2500 |") && card.contains("| `" + b + "` | 0.7500 |"), card);
        assertTrue(Files.readString(r.directory().resolve("merge_recipe.json")).contains("\"weight\" : 0.75"));
    }

    @Test
    void mergedDirectoryLoadsAndEmbedsLikeAHandMerge() throws Exception {
        try (BgeModel m1 = TinyModels.bert(TEXTS, 1, 0); BgeModel m2 = TinyModels.bert(TEXTS, 2, 0);
                BgeModel m3 = TinyModels.bert(TEXTS, 3, 0)) {
            m1.save(tmp.resolve("m1"));
            m2.save(tmp.resolve("m2"));
            m3.save(tmp.resolve("m3"));
            double[] w = {0.2, 0.3, 0.5};
            MergeResult r = ModelMerger.builder().add(tmp.resolve("m1").toString(), w[0])
                    .add(tmp.resolve("m2").toString(), w[1]).add(tmp.resolve("m3").toString(), w[2]).build()
                    .mergeTo(tmp.resolve("merged"));
            // by hand: every weight element is 0.2·a + 0.3·b + 0.5·c
            Map<String, TensorData> t1 = m1.toTensors();
            Map<String, TensorData> t2 = m2.toTensors();
            Map<String, TensorData> t3 = m3.toTensors();
            Map<String, TensorData> hand = new LinkedHashMap<>();
            for (String n : t1.keySet()) {
                float[] x = new float[t1.get(n).data().length];
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) (0.2 * t1.get(n).data()[k] + 0.3 * t2.get(n).data()[k] + 0.5 * t3.get(n).data()[k]);
                }
                hand.put(n, new TensorData(n, t1.get(n).shape(), x));
            }
            Map<String, TensorData> written = Safetensors.readAll(r.directory().resolve("model.safetensors"));
            assertEquals(hand.keySet(), written.keySet());
            for (String n : hand.keySet()) {
                assertArrayEquals(hand.get(n).data(), written.get(n).data(), 1e-6f, n);
            }
            try (BgeModel byHand = m1.copy(); BgeModel loaded = BgeModel.load(r.directory());
                    BgeModel inMemory = ModelMerger.merge(List.of(m1, m2, m3), List.of(0.2, 0.3, 0.5))) {
                byHand.loadTensors(hand);
                Map<String, TensorData> mem = inMemory.toTensors();
                for (String n : written.keySet()) {
                    assertArrayEquals(written.get(n).data(), mem.get(n).data(), 0f, "in-memory vs streamed " + n);
                }
                float[][] e1 = embed(byHand);
                float[][] e2 = embed(loaded);
                float[][] e3 = embed(m1);
                for (int i = 0; i < e1.length; i++) {
                    assertArrayEquals(e1[i], e2[i], 1e-5f);
                }
                assertFalse(java.util.Arrays.equals(e1[0], e3[0]), "the merge must differ from its first model");
                assertEquals(m1.pooling(), loaded.pooling());
                assertEquals(m1.queryInstruction(), loaded.queryInstruction());
            }
        }
    }

    @Test
    void refusesDifferentArchitecturesNamingTheField() throws Exception {
        try (BgeModel small = TinyModels.bert(TEXTS, 1, 0); BgeModel wide = wider(small)) {
            small.save(tmp.resolve("small"));
            wide.save(tmp.resolve("wide"));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelMerger.builder()
                    .add(tmp.resolve("small").toString(), 0.5).add(tmp.resolve("wide").toString(), 0.5).build()
                    .mergeTo(tmp.resolve("out")));
            assertTrue(e.getMessage().contains("architectures differ") && e.getMessage().contains("hidden_size 32 vs 48"),
                    e.getMessage());
            ModelFormatException mem = assertThrows(ModelFormatException.class,
                    () -> ModelMerger.merge(List.of(small, wide), List.of(0.5, 0.5)));
            assertTrue(mem.getMessage().contains("hidden_size 32 vs 48"), mem.getMessage());
            assertFalse(Files.exists(tmp.resolve("out")));
        }
    }

    @Test
    void refusesDifferentVocabulariesNamingTheToken() throws Exception {
        try (BgeModel a = TinyModels.bert(List.of("alpha beta"), 1, 0);
                BgeModel b = TinyModels.bert(List.of("alpha gamma"), 1, 0)) {
            assertEquals(a.config(), b.config());
            a.save(tmp.resolve("a"));
            b.save(tmp.resolve("b"));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelMerger.builder()
                    .add(tmp.resolve("a").toString(), 0.5).add(tmp.resolve("b").toString(), 0.5).build()
                    .mergeTo(tmp.resolve("out")));
            assertTrue(e.getMessage().contains("vocabularies differ") && e.getMessage().contains("'beta'"),
                    e.getMessage());
            assertThrows(ModelFormatException.class, () -> ModelMerger.merge(List.of(a, b), List.of(0.5, 0.5)));
        }
    }

    @Test
    void neverOverwritesAnExistingDirectory() throws Exception {
        try (BgeModel m1 = TinyModels.bert(TEXTS, 1, 0)) {
            m1.save(tmp.resolve("m1"));
            Path out = Files.createDirectories(tmp.resolve("out"));
            Files.writeString(out.resolve("keep.txt"), "mine");
            Bge4jException e = assertThrows(Bge4jException.class, () -> ModelMerger.builder()
                    .add(tmp.resolve("m1").toString(), 0.5).add(tmp.resolve("m1").toString(), 0.5).build()
                    .mergeTo(out));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertEquals("mine", Files.readString(out.resolve("keep.txt")));
            try (var s = Files.list(tmp)) {
                assertEquals(2, s.count(), "no temporary directory left behind");
            }
        }
    }

    private static BgeModel wider(BgeModel m) {
        EncoderConfig c = m.config();
        EncoderConfig w = new EncoderConfig(c.modelType(), c.vocabSize(), 48, c.numHiddenLayers(), c.numAttentionHeads(),
                c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize(), c.layerNormEps(), c.padTokenId(),
                c.hiddenAct(), 0, 0);
        return BgeModel.builder().name("wide").config(w).tokenizerJson(m.tokenizer().tokenizerJson()).buildRandom(5);
    }

    private static float[][] embed(BgeModel m) {
        try (Embedder e = m.embedder().build()) {
            return e.encodeCorpus(TEXTS);
        }
    }

    private Path layoutDir(String name) throws Exception {
        try (BgeModel m = TinyModels.bert(TEXTS, 1, 0)) {
            m.save(tmp.resolve(name));
        }
        return tmp.resolve(name);
    }

    /** A safetensors file with tensors w (F32), h (F16) and ids (I64), written byte by byte. */
    static void writeRaw(Path file, float[] w, float[] h, long[] ids) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer bw = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) {
            bw.putFloat(v);
        }
        ByteBuffer bh = ByteBuffer.allocate(2 * h.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : h) {
            bh.putShort(f16Of(v));
        }
        ByteBuffer bi = ByteBuffer.allocate(8 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : ids) {
            bi.putLong(v);
        }
        int ow = bw.capacity();
        int oh = ow + bh.capacity();
        int oi = oh + bi.capacity();
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + w.length + "],\"data_offsets\":[0," + ow + "]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[" + h.length + "],\"data_offsets\":[" + ow + "," + oh + "]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[" + ids.length + "],\"data_offsets\":[" + oh + "," + oi + "]}}";
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        data.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
        data.write(hb);
        data.write(bw.array());
        data.write(bh.array());
        data.write(bi.array());
        Files.write(file, data.toByteArray());
    }

    /** Half-precision bits of the small integers used above (exact in F16). */
    static short f16Of(float v) {
        return switch ((int) v) {
            case 1 -> (short) 0x3C00;
            case -2 -> (short) 0xC000;
            case 2 -> (short) 0x4000;
            case 3 -> (short) 0x4200;
            default -> throw new IllegalArgumentException("no table entry for " + v);
        };
    }
}

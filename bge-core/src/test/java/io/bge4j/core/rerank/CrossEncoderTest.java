package io.bge4j.core.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny random BERT / XLM-R cross-encoders against {@link NaiveCrossEncoder}; save and reload. */
class CrossEncoderTest {

    static final List<String> TEXTS = List.of(
            "apt installs packages from the debian archive",
            "the kernel image for sixty four bit pcs with many modules and firmware blobs",
            "a small fast web server",
            "vim is a text editor",
            "how do i install a web server");

    /** A tiny BERT cross-encoder whose head (and every bias) has large random values, so the head matters. */
    static CrossEncoder tinyBert(long seed) {
        try (BgeModel emb = TinyModels.bert(TEXTS, seed, 0.0)) {
            CrossEncoder ce = CrossEncoder.fromEmbedder(emb, seed);
            randomize(ce, seed + 1);
            return ce;
        }
    }

    /** A tiny XLM-R cross-encoder with the real XLM-R pair template ({@code RobertaProcessing}). */
    static CrossEncoder tinyXlmr(long seed) {
        List<String> vocab = TinyModels.vocabulary(TEXTS);
        byte[] tok = robertaTokenizer(vocab);
        EncoderConfig cfg = new EncoderConfig("xlm-roberta", vocab.size() + 5, 32, 2, 4, 64, 130, 1, 1e-5, 1, "gelu",
                0.0, 0.0);
        try (BgeModel emb = BgeModel.builder().name("tiny-xlmr").config(cfg).tokenizerJson(tok).buildRandom(seed)) {
            CrossEncoder ce = CrossEncoder.fromEmbedder(emb, seed);
            randomize(ce, seed + 1);
            return ce;
        }
    }

    static byte[] robertaTokenizer(List<String> vocab) {
        try {
            ObjectMapper om = new ObjectMapper();
            ObjectNode root = (ObjectNode) om.readTree(TinyModels.tokenizerJson(vocab, true));
            ObjectNode pp = root.putObject("post_processor");
            pp.put("type", "RobertaProcessing");
            pp.putArray("sep").add("</s>").add(2);
            pp.putArray("cls").add("<s>").add(0);
            pp.put("trim_offsets", true).put("add_prefix_space", true);
            return om.writeValueAsBytes(root);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void randomize(CrossEncoder ce, long seed) {
        Random rnd = new Random(seed);
        Map<String, TensorData> w = new LinkedHashMap<>();
        for (TensorData t : ce.toTensors().values()) {
            boolean headOrBias = t.name().startsWith("classifier") || t.name().contains("pooler")
                    || t.name().endsWith(".bias") || t.name().contains("token_type")
                    || t.name().contains("word_embeddings") || t.name().contains("attention.self");
            if (!headOrBias) {
                continue;
            }
            float[] v = new float[t.data().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * (t.name().endsWith("bias") ? 0.1 : 0.3));
            }
            w.put(t.name(), new TensorData(t.name(), t.shape(), v));
        }
        ce.loadTensors(w);
    }

    private static final List<String> QUERIES = List.of("web server", "install apt packages", "",
            "kernel image for sixty four bit pcs");
    private static final List<String> PASSAGES = List.of("a small fast web server",
            "apt installs packages from the debian archive", "vim is a text editor",
            "the kernel image for sixty four bit pcs with many modules and firmware blobs");

    @Test
    void tinyBertMatchesIndependentDoublePrecisionForward() {
        try (CrossEncoder ce = tinyBert(3)) {
            assertEquals(CrossEncoder.Head.BERT_POOLER, ce.head());
            checkParity(ce);
        }
    }

    @Test
    void tinyXlmRobertaMatchesIndependentDoublePrecisionForward() {
        try (CrossEncoder ce = tinyXlmr(5)) {
            assertEquals(CrossEncoder.Head.ROBERTA_CLASSIFICATION, ce.head());
            checkParity(ce);
        }
    }

    private static void checkParity(CrossEncoder ce) {
        float[] ours = ce.scorePairs(QUERIES, PASSAGES);  // one padded batch: masking matters
        NaiveCrossEncoder ref = new NaiveCrossEncoder(ce.config(), ce.toTensors());
        List<EncodedPair> enc = ce.pairTokenizer().encode(QUERIES, PASSAGES, ce.limits());
        assertTrue(enc.get(3).length() > enc.get(0).length() + 5, "pairs must differ in length so padding occurs");
        double spread = 0;
        for (int i = 0; i < ours.length; i++) {
            double expected = ref.score(enc.get(i).ids(), enc.get(i).typeIds());
            assertEquals(expected, ours[i], 1e-4, "pair " + i);
            spread = Math.max(spread, Math.abs(expected - ref.score(enc.get(0).ids(), enc.get(0).typeIds())));
        }
        assertTrue(spread > 1e-3, "scores must differ between pairs for the comparison to mean anything");
    }

    @Test
    void bertSegmentIdsChangeTheScore() {
        try (CrossEncoder ce = tinyBert(9)) {
            EncodedPair p = ce.pairTokenizer().encode("web server", "a small fast web server", ce.limits());
            assertEquals(1L, p.typeIds()[p.length() - 1]);
            NaiveCrossEncoder ref = new NaiveCrossEncoder(ce.config(), ce.toTensors());
            double withTypes = ref.score(p.ids(), p.typeIds());
            double allZero = ref.score(p.ids(), new long[p.length()]);
            assertNotEquals(withTypes, allZero, 1e-4);
            assertEquals(withTypes, ce.score("web server", List.of("a small fast web server"))[0], 1e-4);
        }
    }

    @Test
    void savedModelReloadsWithIdenticalScoresInHfLayout(@TempDir Path dir) throws Exception {
        for (CrossEncoder ce : List.of(tinyBert(21), tinyXlmr(22))) {
            Path out = dir.resolve(ce.head().name());
            float[] before;
            try (ce) {
                before = ce.scorePairs(QUERIES, PASSAGES);
                ce.save(out);
            }
            JsonNode cfg = new ObjectMapper().readTree(Files.readString(out.resolve("config.json")));
            boolean xlmr = ce.head() == CrossEncoder.Head.ROBERTA_CLASSIFICATION;
            assertEquals(xlmr ? "XLMRobertaForSequenceClassification" : "BertForSequenceClassification",
                    cfg.path("architectures").path(0).asText());
            assertEquals(1, cfg.path("id2label").size());
            assertEquals("torch.nn.modules.linear.Identity", cfg.path("sentence_transformers").path("activation_fn").asText());
            Map<String, TensorData> saved = Safetensors.readAll(out.resolve("model.safetensors"));
            String prefix = xlmr ? "roberta." : "bert.";
            assertTrue(saved.containsKey(prefix + "embeddings.word_embeddings.weight"));
            assertTrue(saved.containsKey(prefix + "encoder.layer.1.output.LayerNorm.bias"));
            if (xlmr) {
                assertTrue(saved.containsKey("classifier.out_proj.weight"));
                assertArrayEquals(new long[] {1, 32}, saved.get("classifier.out_proj.weight").shape());
            } else {
                assertTrue(saved.containsKey("bert.pooler.dense.weight"));
                assertArrayEquals(new long[] {1, 32}, saved.get("classifier.weight").shape());
            }
            assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
            assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));
            try (CrossEncoder back = CrossEncoder.load(out)) {
                assertArrayEquals(before, back.scorePairs(QUERIES, PASSAGES));
                assertEquals(ce.head(), back.head());
            }
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary folders left");
        }
    }

    @Test
    void embedderDirectoryWithoutHeadIsRejectedWithAHint(@TempDir Path dir) {
        try (BgeModel emb = TinyModels.bert(TEXTS, 1)) {
            emb.save(dir.resolve("emb"));
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CrossEncoder.load(dir.resolve("emb")));
        assertTrue(e.getMessage().contains("fromEmbedder"), e.getMessage());
    }

    @Test
    void multiLabelClassifierIsRejected(@TempDir Path dir) throws Exception {
        try (CrossEncoder ce = tinyBert(2)) {
            ce.save(dir.resolve("ce"));
        }
        Path cfgFile = dir.resolve("ce/config.json");
        ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(Files.readString(cfgFile));
        cfg.putObject("id2label").put("0", "NO").put("1", "YES");
        Files.writeString(cfgFile, cfg.toString());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CrossEncoder.load(dir.resolve("ce")));
        assertTrue(e.getMessage().contains("num_labels = 1"), e.getMessage());
    }

    @Test
    void scoringBuildsNoGraphEvenWhenGradModeIsOn() {
        try (CrossEncoder ce = tinyBert(4); var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            assertTrue(NoGradient.gradModeEnabled());
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                many.add(PASSAGES.get(i % PASSAGES.size()));
            }
            float[] s = ce.score("web server", many);  // crosses the 32-pair batch boundary
            assertEquals(40, s.length);
            assertEquals(s[0], s[4], 1e-6);
            assertTrue(NoGradient.gradModeEnabled(), "the previous grad mode is restored");
        }
    }
}

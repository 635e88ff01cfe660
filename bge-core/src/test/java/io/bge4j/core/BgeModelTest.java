package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BgeModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS = List.of("apt installs packages", "a web server", "", "kernel modules and firmware");

    @TempDir
    Path tmp;

    @Test
    void saveThenLoadGivesIdenticalEmbeddingsAndTheHfLayout() throws IOException {
        Path dir = tmp.resolve("tiny");
        float[][] before;
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            try (Embedder e = m.embedder().build()) {
                before = e.encode(TEXTS);
            }
            m.save(dir);
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json",
                "sentence_bert_config.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertTrue(Files.isDirectory(dir.resolve("2_Normalize")));
        JsonNode pool = JSON.readTree(dir.resolve("1_Pooling/config.json").toFile());
        assertTrue(pool.get("pooling_mode_cls_token").asBoolean());
        assertFalse(pool.get("pooling_mode_mean_tokens").asBoolean());
        assertEquals(32, pool.get("word_embedding_dimension").asInt());
        JsonNode modules = JSON.readTree(dir.resolve("modules.json").toFile());
        assertEquals("sentence_transformers.models.Normalize", modules.get(2).get("type").asText());
        assertEquals("bert", JSON.readTree(dir.resolve("config.json").toFile()).get("model_type").asText());
        // every encoder weight is in the safetensors file under its HF name
        Map<String, TensorData> w = Safetensors.readAll(dir.resolve("model.safetensors"));
        assertTrue(w.containsKey("encoder.layer.1.attention.self.query.weight"));
        assertArrayEquals(new long[] {64, 32}, w.get("encoder.layer.0.intermediate.dense.weight").shape());
        try (BgeModel back = BgeModel.load(dir); Embedder e = back.embedder().build()) {
            float[][] after = e.encode(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(before[i], after[i], 0f, "text " + i);
            }
        }
        // saving over an existing directory replaces it
        try (BgeModel other = TinyModels.bert(TEXTS, 4)) {
            other.save(dir);
        }
        try (BgeModel back = BgeModel.load(dir); Embedder e = back.embedder().build()) {
            assertNotEquals(before[0][0], e.encode(TEXTS)[0][0]);
        }
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary folders left behind");
        }
    }

    @Test
    void sentenceTransformersPoolingAndPromptWin() throws IOException {
        Path dir = tmp.resolve("st");
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            m.save(dir);
        }
        Files.writeString(dir.resolve("1_Pooling/config.json"), "{\"pooling_mode_mean_tokens\": true}");
        Files.writeString(dir.resolve("modules.json"), "[{\"idx\":0,\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
                + "{\"idx\":1,\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"}]");
        Files.writeString(dir.resolve("config_sentence_transformers.json"), "{\"prompts\": {\"query\": \"q: \"}}");
        try (BgeModel m = BgeModel.load(dir)) {
            assertEquals(Pooling.MEAN, m.pooling());
            assertFalse(m.normalize());
            assertEquals("q: ", m.queryInstruction());
        }
    }

    @Test
    void hfCacheLayoutResolvesRefsMain() throws IOException {
        Path hub = tmp.resolve("hub");
        Path repo = hub.resolve("models--BAAI--bge-base-en-v1.5");
        Path snap = repo.resolve("snapshots").resolve("abc123");
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            m.save(snap);
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "abc123\n");
        assertEquals(snap, HfCache.find("BAAI/bge-base-en-v1.5", hub).orElseThrow());
        try (BgeModel m = BgeModel.load(repo)) {
            // the path names a preset: its instruction applies unless the files say otherwise
            assertEquals("", m.queryInstruction(), "config_sentence_transformers.json written by save says ''");
        }
        assertEquals(Path.of("/h/hub"), HfCache.hubDir(Map.of("HF_HOME", "/h"), Path.of("/home/u")));
        assertEquals(Path.of("/c"), HfCache.hubDir(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), Path.of("/home/u")));
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HfCache.hubDir(Map.of(), Path.of("/home/u")));
    }

    @Test
    void badInputsGiveActionableMessages() throws IOException {
        Path missing = tmp.resolve("does-not-exist");
        assertEquals("'" + missing + "' is neither a model directory nor a known preset (bge-small-en-v1.5, bge-base-en-v1.5,"
                + " bge-large-en-v1.5, bge-small-zh-v1.5, bge-base-zh-v1.5, bge-large-zh-v1.5, bge-m3)",
                assertThrows(ModelFormatException.class, () -> BgeModel.load(missing.toString())).getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals("config.json not found: " + empty.resolve("config.json")
                + " (a Hugging Face model directory must contain config.json)",
                assertThrows(ModelFormatException.class, () -> BgeModel.load(empty)).getMessage());

        Path dir = tmp.resolve("m");
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            m.save(dir);
        }
        // pickle only
        Files.delete(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1});
        String msg = assertThrows(ModelFormatException.class, () -> BgeModel.load(dir)).getMessage();
        assertTrue(msg.contains("holds only pytorch_model.bin") && msg.contains("safe_serialization=True"), msg);

        // unknown model type
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        assertEquals(dir.resolve("config.json") + ": unsupported model_type 'gpt2'; supported: bert (bge-*-en/zh-v1.5)"
                + " and xlm-roberta (bge-m3)", assertThrows(ModelFormatException.class, () -> BgeModel.load(dir)).getMessage());
    }

    @Test
    void shapeMismatchNamesTheTensor() throws IOException {
        Path dir = tmp.resolve("m");
        try (BgeModel m = TinyModels.bert(TEXTS, 3)) {
            m.save(dir);
        }
        Map<String, TensorData> w = Safetensors.readAll(dir.resolve("model.safetensors"));
        List<TensorData> broken = new ArrayList<>(w.values());
        broken.replaceAll(t -> t.name().equals("encoder.layer.0.attention.self.key.weight")
                ? new TensorData(t.name(), new long[] {16, 64}, t.data()) : t);
        Safetensors.write(dir.resolve("model.safetensors"), broken, Map.of());
        String msg = assertThrows(ModelFormatException.class, () -> BgeModel.load(dir)).getMessage();
        assertEquals(dir + ": parameter 'encoder.layer.0.attention.self.key.weight' has shape (16, 64) but the config"
                + " (32 hidden, 64 intermediate, vocab " + w.get("embeddings.word_embeddings.weight").shape()[0]
                + ") requires (32, 32)", msg);

        broken.removeIf(t -> t.name().startsWith("encoder.layer.1."));
        broken.replaceAll(t -> t.name().equals("encoder.layer.0.attention.self.key.weight") ? w.get(t.name()) : t);
        Safetensors.write(dir.resolve("model.safetensors"), broken, Map.of());
        msg = assertThrows(ModelFormatException.class, () -> BgeModel.load(dir)).getMessage();
        assertTrue(msg.contains("16 encoder weights are missing, e.g. 'encoder.layer.1.attention.self.query.weight'"), msg);
    }

    @Test
    void presetWithoutLocalWeightsSaysWhereToPutThem() {
        // point the HF cache at an empty folder through the loader's view of the environment
        String msg = assertThrows(ModelFormatException.class, () -> BgeModel.load("BAAI/bge-large-en-v1.5")).getMessage();
        assertTrue(msg.startsWith("bge-large-en-v1.5 is not embedded in any bge4j artifact and was not found in the"
                + " Hugging Face cache"), msg);
        assertTrue(msg.contains("models--BAAI--bge-large-en-v1.5"), msg);
        assertTrue(msg.contains("git clone https://huggingface.co/BAAI/bge-large-en-v1.5"), msg);
        assertTrue(msg.contains("--model models/bge-large-en-v1.5 on the CLI"), msg);
        assertTrue(msg.endsWith("See docs/models.md"), msg);
    }

    @Test
    void configRejectsBadValuesByName() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\":\"bert\",\"vocab_size\":10,\"hidden_size\":30,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":4,\"intermediate_size\":8,\"max_position_embeddings\":16}");
        assertEquals(cfg + ": hidden_size 30 is not a multiple of num_attention_heads 4",
                assertThrows(ModelFormatException.class, () -> EncoderConfig.read(cfg)).getMessage());
        Files.writeString(cfg, "{\"model_type\":\"bert\",\"vocab_size\":10}");
        assertEquals(cfg + ": missing required field 'hidden_size'",
                assertThrows(ModelFormatException.class, () -> EncoderConfig.read(cfg)).getMessage());
        Files.writeString(cfg, "{\"model_type\":\"xlm-roberta\",\"vocab_size\":10,\"hidden_size\":8,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"intermediate_size\":8,\"max_position_embeddings\":16}");
        EncoderConfig x = EncoderConfig.read(cfg);
        assertEquals(1e-5, x.layerNormEps());
        assertEquals(1, x.padTokenId());
        assertEquals(14, x.maxSequenceLength());
    }
}

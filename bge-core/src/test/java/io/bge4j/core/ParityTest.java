package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bge4j's encoder against ONNX Runtime running the very same ONNX file: real bge-small-en-v1.5 and
 * bge-small-zh-v1.5 weights, texts of mixed length (including ones over 512 tokens), accents, CJK,
 * emoji and a one-character text. ORT is fed each text alone (no padding), bge4j batches and pads.
 */
class ParityTest {

    static List<String> texts() {
        List<String> t = new ArrayList<>(List.of(
                "a",
                "",
                "hello world",
                "How do I install a web server on Debian?",
                "Represent this sentence for searching relevant passages: what is apt",
                "café résumé naïve façade déjà vu",
                "Ünïcödé àccênts everywhere: Ångström, Øresund, Straße",
                "软件包管理器",
                "这是一个用于测试中文文本嵌入的句子。",
                "日本語のテキストも少し混ぜます",
                "emoji test 🚀🔥😀 rockets and fire",
                "🙂",
                "GNU C library: shared libraries",
                "Python 3 bindings for the GObject introspection library",
                "Lightweight, fast and secure web browser based on WebKit",
                "numbers 1234567890 and symbols !@#$%^&*()_+-=[]{};':\",./<>?",
                "tab\tseparated\tvalues and\nnew lines\r\nwindows",
                "ALL CAPS SHOUTING TEXT",
                "mixed 中文 and English 文本 together",
                "Kubernetes is an open-source system for automating deployment, scaling, and management.",
                "x y z",
                "The quick brown fox jumps over the lazy dog.",
                "Лорем ипсум долор сит амет",
                "مرحبا بالعالم",
                "한국어 문장입니다",
                "hyphen-ated words and under_scores and CamelCase",
                "repeated repeated repeated repeated repeated",
                "https://www.debian.org/distrib/packages?query=apt#section",
                "e-mail: someone@example.org",
                "   leading and trailing spaces   "));
        t.add("The Debian package system stores metadata about every package. ".repeat(60)); // > 512 tokens
        t.add("长文本测试，".repeat(400)); // > 512 tokens of CJK
        t.add(("word" + " ").repeat(700));
        t.add("medium length passage about compilers, linkers, assemblers and debuggers for embedded targets. "
                .repeat(5));
        return t;
    }

    private static void checkParity(BgePreset preset) throws Exception {
        List<String> texts = texts();
        assertTrue(texts.size() >= 32);
        String resource = preset.embeddedResource().orElseThrow() + ".onnx";
        try (OrtReference ort = new OrtReference(resource, 2); BgeModel model = BgeModel.load(preset.modelName());
                Embedder emb = model.embedder().batchSize(7).build()) {
            long[][] ids = model.tokenizer().encode(texts, model.maxLength());
            assertEquals(512, ids[30].length, "the long text must be truncated to 512 tokens");
            float[][] ours = emb.encode(texts);
            double minCos = 1;
            int worst = -1;
            for (int i = 0; i < texts.size(); i++) {
                float[] ref = ort.embed(new long[][] {ids[i]})[0];
                double dot = 0;
                for (int j = 0; j < ref.length; j++) {
                    dot += ref[j] * ours[i][j];
                }
                if (dot < minCos) {
                    minCos = dot;
                    worst = i;
                }
            }
            assertTrue(minCos >= 0.9999, preset + ": min cosine " + minCos + " at text " + worst);
        }
    }

    @Test
    void bgeSmallEnMatchesOnnxRuntime() throws Exception {
        checkParity(BgePreset.BGE_SMALL_EN_V15);
    }

    @Test
    void bgeSmallZhMatchesOnnxRuntime() throws Exception {
        checkParity(BgePreset.BGE_SMALL_ZH_V15);
    }
}

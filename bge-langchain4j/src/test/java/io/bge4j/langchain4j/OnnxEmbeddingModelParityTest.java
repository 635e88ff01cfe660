package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * langchain4j's stock {@link OnnxEmbeddingModel} ({@link PoolingMode#CLS}) loads a {@code model.onnx} +
 * {@code tokenizer.json} directory and embeds like bge4j's libtorch encoder (min cosine >= 0.9999).
 *
 * <p>The directory under test comes from {@link #onnxDirectory}: today the stock bge-small-en-v1.5 ONNX file that
 * bge4j imports its embedded weights from (copied out of the classpath); once bge4j's ONNX exporter lands, that one
 * method becomes the exporter call on the loaded model, and the rest of the test stays as it is.
 */
@ExtendWith(BgeSmallEn.class)
class OnnxEmbeddingModelParityTest {

    /** Short, long (but under langchain4j's 510-token window), punctuation, digits, non-ASCII, emoji, one letter. */
    private static final List<String> TEXTS = List.of(
            "nginx is a small, fast HTTP server",
            "Represent this sentence for searching relevant passages: how do I install a web server",
            "x",
            "GStreamer plugin for PulseAudio (transitional package) — version 1.22.0, see https://example.org/#faq",
            "Café, naïve, façade: résumé of Straße and Ærø",
            "fonts for 中文 and 日本語 scripts 🚀🙂",
            "The quick brown fox jumps over the lazy dog. ".repeat(30).trim());

    /**
     * Writes the ONNX model directory whose embeddings are checked against {@code bge}. Swap this body for
     * bge4j's exporter (e.g. {@code OnnxExporter.export(bge, dir)}) to test the exported file instead.
     */
    static Path onnxDirectory(BgeModel bge, Path dir) throws IOException {
        copyResource("bge-small-en-v1.5.onnx", dir.resolve("model.onnx"));
        copyResource("bge-small-en-v1.5-tokenizer.json", dir.resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void stockOnnxEmbeddingModelMatchesBge4j(BgeModel bge, @TempDir Path tmp) throws IOException {
        try (Embedder embedder = bge.embedder().build()) {
            Path dir = onnxDirectory(bge, tmp);
            OnnxEmbeddingModel onnx = new OnnxEmbeddingModel(dir.resolve("model.onnx"), dir.resolve("tokenizer.json"),
                    PoolingMode.CLS);
            List<Embedding> got = onnx.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content();
            float[][] want = embedder.encode(TEXTS);
            assertEquals(bge.dimension(), onnx.dimension());
            double min = 1;
            for (int i = 0; i < TEXTS.size(); i++) {
                double c = BgeLangChain4jEmbeddingModelTest.cosine(want[i], got.get(i).vector());
                min = Math.min(min, c);
                assertTrue(c >= 0.9999, "text " + i + " cosine " + c);
            }
            assertTrue(min <= 1.000001, "cosine is bounded by 1");
        }
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = OnnxEmbeddingModelParityTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is not on the test classpath (it comes with bge-core's embedded weights)");
            Files.copy(in, to);
        }
    }
}

package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.bge4j.core.BgeModel;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.Embedder;
import io.bge4j.core.onnx.OnnxExportOptions;
import io.bge4j.core.onnx.OnnxExporter;
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
 * {@code tokenizer.json} directory and embeds like bge4j's libtorch encoder (min cosine >= 0.9999): the directory
 * bge4j's {@link OnnxExporter} writes, fused (com.microsoft operators) and plain, fp32, and, as the reference, the
 * stock bge-small-en-v1.5 ONNX file that bge4j imports its embedded weights from.
 */
@ExtendWith(BgeSmallEn.class)
class OnnxEmbeddingModelParityTest {

    /** Short, long (but under langchain4j's 510-token window), punctuation, digits, non-ASCII, emoji, one letter. */
    private static final List<String> TEXTS = List.of(
            "nginx is a small, fast HTTP server",
            "Represent this sentence for searching relevant passages: how do I install a web server",
            "x",
            "GStreamer plugin for PulseAudio (transitional package) \u2014 version 1.22.0, see https://example.org/#faq",
            "Caf\u00e9, na\u00efve, fa\u00e7ade: r\u00e9sum\u00e9 of Stra\u00dfe and \u00c6r\u00f8",
            "fonts for \u4e2d\u6587 and \u65e5\u672c\u8a9e scripts \ud83d\ude80\ud83d\ude42",
            "The quick brown fox jumps over the lazy dog. ".repeat(30).trim());

    @Test
    void exportedFusedFileLoadsInLangchain4jAndMatchesBge4j(BgeModel bge, @TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("fused");
        OnnxExporter.export(bge, dir, OnnxExportOptions.defaults());
        assertMatches(bge, dir);
    }

    @Test
    void exportedPlainFileLoadsInLangchain4jAndMatchesBge4j(BgeModel bge, @TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("plain");
        OnnxExporter.export(bge, dir, OnnxExportOptions.defaults().withGraph(OnnxExportOptions.Graph.PLAIN));
        assertMatches(bge, dir);
    }

    @Test
    void stockOnnxEmbeddingModelMatchesBge4j(BgeModel bge, @TempDir Path tmp) throws IOException {
        copyResource("bge-small-en-v1.5.onnx", tmp.resolve("model.onnx"));
        copyResource("bge-small-en-v1.5-tokenizer.json", tmp.resolve("tokenizer.json"));
        assertMatches(bge, tmp);
    }

    private static void assertMatches(BgeModel bge, Path dir) {
        try (Embedder embedder = bge.embedder().backend(BgeEmbedder.Backend.TORCH).build()) {
            OnnxEmbeddingModel onnx = new OnnxEmbeddingModel(dir.resolve("model.onnx"), dir.resolve("tokenizer.json"),
                    PoolingMode.CLS);
            List<Embedding> got = onnx.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content();
            float[][] want = embedder.encode(TEXTS);
            assertEquals(bge.dimension(), onnx.dimension());
            double min = 1;
            for (int i = 0; i < TEXTS.size(); i++) {
                double c = BgeLangChain4jEmbeddingModelTest.cosine(want[i], got.get(i).vector());
                min = Math.min(min, c);
                assertTrue(c >= 0.9999, dir.getFileName() + ": text " + i + " cosine " + c);
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

package io.bge4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.onnx.OnnxRuntimeEncoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {

    @TempDir
    Path tmp;

    @Test
    void exportsAFileWhoseEmbeddingsMatchTheModel() throws Exception {
        Path model = CliTestKit.tinyModel(tmp.resolve("model"), CliTestKit.allTexts(), 3);
        for (String flag : new String[] {null, "--int8", "--fp16"}) {
            Path out = tmp.resolve("onnx" + (flag == null ? "" : flag));
            CliTestKit.Run r = flag == null
                    ? CliTestKit.run("export", "--model", model.toString(), "--output", out.toString())
                    : CliTestKit.run("export", "--model", model.toString(), "--output", out.toString(), flag);
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.isRegularFile(out.resolve("model.onnx")) && Files.isRegularFile(out.resolve("tokenizer.json")));
            try (BgeModel m = BgeModel.load(model);
                    BgeEmbedder e = m.embedder().backend(BgeEmbedder.Backend.TORCH).build();
                    OnnxRuntimeEncoder ort = OnnxRuntimeEncoder.open(out.resolve("model.onnx"), 1)) {
                List<String> texts = CliTestKit.allTexts();
                float[][] ref = e.encode(texts);
                float[][] got = ort.embed(m.tokenizer().encode(texts, m.maxLength()));
                double maxDiff = 0;
                for (int i = 0; i < ref.length; i++) {
                    for (int k = 0; k < ref[i].length; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(ref[i][k] - got[i][k]));
                    }
                }
                assertTrue(maxDiff < (flag == null ? 2e-5 : 0.05), flag + ": max difference " + maxDiff);
            }
        }
        CliTestKit.Run both = CliTestKit.run("export", "--model", model.toString(), "--output", tmp.resolve("x").toString(),
                "--int8", "--fp16");
        assertEquals(2, both.code(), "--int8 and --fp16 exclude each other");
    }

    @Test
    void backendOptionIsValidated() throws Exception {
        Path model = CliTestKit.tinyModel(tmp.resolve("model"), CliTestKit.allTexts(), 3);
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "apt downloads packages\n");
        CliTestKit.Run ok = CliTestKit.run("embed", "--model", model.toString(), "--input", in.toString(), "--output",
                tmp.resolve("o.jsonl").toString(), "--backend", "torch");
        assertEquals(0, ok.code(), ok.err());
        CliTestKit.Run bad = CliTestKit.run("embed", "--model", model.toString(), "--input", in.toString(), "--output",
                tmp.resolve("o2.jsonl").toString(), "--backend", "tpu");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown backend 'tpu'"), bad.err());
    }

    @Test
    void progressLinesAreThrottledWhenNotATerminalAndGiveRateAndEta() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong();
        EncodingProgress p = new EncodingProgress(new PrintWriter(sw), false, 10_000_000_000L, now::get);
        p.onProgress(100, 1000, 5_000);              // first report of the call: the baseline
        now.set(5_000_000_000L);
        p.onProgress(300, 1000, 15_000);             // 5 s later: under the 10 s interval, quiet
        now.set(10_000_000_000L);
        p.onProgress(500, 1000, 25_000);             // 10 s: 400 texts, 20,000 tokens since the baseline
        now.set(12_000_000_000L);
        p.onProgress(1000, 1000, 50_000);            // the end always prints
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        // 20,000 tokens / 10 s = 2,000 tokens/s; 500 texts left at 40 texts/s = 12.5 s -> 13 s
        assertEquals("encoded 500/1,000 texts (50.0%), 2,000 tokens/s, ETA 13s", lines[0]);
        assertEquals("encoded 1,000/1,000 texts (100.0%), 3,750 tokens/s, 12.0 s", lines[1]);
        StringWriter quiet = new StringWriter();
        EncodingProgress q = new EncodingProgress(new PrintWriter(quiet), false, 0, now::get);
        q.onProgress(10, 10, 100);
        assertEquals("", quiet.toString(), "short calls stay quiet");
    }
}

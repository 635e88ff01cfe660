package io.bge4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Bge4jCli.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void embedsNonEmptyLinesInOrderWithLineNumbers() throws Exception {
        List<String> texts = List.of("apt installs packages", "web server", "kernel");
        Path model = tmp.resolve("model");
        try (BgeModel m = TinyModels.bert(texts, 1)) {
            m.save(model);
        }
        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "apt installs packages\n\nweb server\n   \nkernel\n");
        Path out = tmp.resolve("out.jsonl");
        Run r = run("embed", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--batch-size", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size());
        ObjectMapper json = new ObjectMapper();
        int[] expectedIndex = {0, 2, 4};
        try (BgeModel m = BgeModel.load(model); Embedder e = m.embedder().build()) {
            float[][] expected = e.encode(texts);
            for (int i = 0; i < 3; i++) {
                JsonNode n = json.readTree(lines.get(i));
                assertEquals(expectedIndex[i], n.get("index").asInt());
                assertEquals(32, n.get("embedding").size());
                assertEquals(expected[i][5], (float) n.get("embedding").get(5).asDouble(), 1e-6);
            }
        }
        assertTrue(r.out().contains("embedded 3 texts (32 dims)"), r.out());
    }

    @Test
    void badArgumentsGiveUsageAndNonZeroExit() {
        Run r = run("embed", "--model", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required options: '--input=<input>', '--output=<output>'"), r.err());
        assertTrue(r.err().contains("Usage: bge4j embed"), r.err());
        Run missing = run("embed", "--model", "bge-small-en-v1.5", "--input", tmp.resolve("none.txt").toString(),
                "--output", tmp.resolve("o.jsonl").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("input file not found: " + tmp.resolve("none.txt")), missing.err());
        assertEquals(2, run("frobnicate").code());
    }
}

package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.Metric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's whole path on the shipped data, with a tiny random model and tiny sizes. */
class QuickstartTest {

    static final Path DATA = Path.of("../data/debian-packages-en");

    @Test
    void runsEndToEndOnTinySizes(@TempDir Path tmp) throws Exception {
        List<String> vocabTexts = Files.readAllLines(DATA.resolve("queries.jsonl")).subList(0, 400);
        Path model = tmp.resolve("tiny");
        try (BgeModel m = TinyModels.bert(vocabTexts, 1, 0.0)) {
            m.save(model);
        }
        Quickstart.Options o = new Quickstart.Options(DATA, model.toString(), tmp.resolve("out"), 24, 8, 20, 10, 1, 4,
                2, 16, 32, 1e-3, 2, 7);
        StringWriter sw = new StringWriter();
        Quickstart.Outcome r = Quickstart.run(o, new PrintWriter(sw));
        String out = sw.toString();
        assertTrue(out.contains("test: 20 queries over 30 docs"), out);
        assertEquals(20, r.base().counts().evaluated());
        assertEquals(20, r.tuned().counts().evaluated());
        double base = r.base().mean(Metric.NDCG_AT_10);
        double tuned = r.tuned().mean(Metric.NDCG_AT_10);
        assertEquals(tuned - base, r.comparison().metric(Metric.NDCG_AT_10).delta(), 1e-12);
        assertTrue(out.contains(String.format("%8.4f %8.4f", base, tuned)), out);
        assertTrue(Files.isRegularFile(r.report()));
        assertTrue(Files.readString(r.report()).contains("<svg"));
        assertTrue(Files.isRegularFile(r.modelDir().resolve("model.safetensors")));
        assertTrue(r.training().stepsTaken() > 0);
    }
}

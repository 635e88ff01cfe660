package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.examples.cli.CliTestKit.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateRankingTest {

    @TempDir
    Path tmp;

    @Test
    void severalModelsGetPairwiseTestsAndAVerdict() throws Exception {
        Path data = CliTestKit.beir(tmp.resolve("data"), "test", 8);
        Path a = CliTestKit.tinyModel(tmp.resolve("a"), CliTestKit.allTexts(), 1);
        Path b = CliTestKit.tinyModel(tmp.resolve("b"), CliTestKit.allTexts(), 2);
        Path c = CliTestKit.tinyModel(tmp.resolve("c"), CliTestKit.allTexts(), 3);
        Run r = run("evaluate", "--model", a.toString(), "--model", b.toString(), "--model", c.toString(), "--data",
                data.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Holm-adjusted over 3 pairs"), r.out());
        assertTrue(r.out().contains("verdict: best: "), r.out());
    }
}

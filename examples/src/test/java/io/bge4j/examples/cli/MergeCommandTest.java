package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import io.bge4j.examples.cli.CliTestKit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {

    @TempDir
    Path tmp;

    Path modelA;
    Path modelB;

    @BeforeEach
    void setUp() {
        modelA = CliTestKit.tinyModel(tmp.resolve("a"), CliTestKit.allTexts(), 1);
        modelB = CliTestKit.tinyModel(tmp.resolve("b"), CliTestKit.allTexts(), 2);
    }

    @Test
    void mergesWithGivenWeights() {
        Path out = tmp.resolve("merged");
        Run r = run("merge", "--model", modelA.toString(), "--weight", "0.25", "--model", modelB.toString(),
                "--weight", "0.75", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("merged 2 models into"), r.out());
        Map<String, TensorData> a = Safetensors.readAll(modelA.resolve("model.safetensors"));
        Map<String, TensorData> b = Safetensors.readAll(modelB.resolve("model.safetensors"));
        Map<String, TensorData> m = Safetensors.readAll(out.resolve("model.safetensors"));
        String n = "encoder.layer.0.attention.self.query.weight";
        float[] expected = new float[a.get(n).data().length];
        for (int k = 0; k < expected.length; k++) {
            expected[k] = (float) (0.25 * a.get(n).data()[k] + 0.75 * b.get(n).data()[k]);
        }
        assertArrayEquals(expected, m.get(n).data(), 1e-7f);
        try (BgeModel loaded = BgeModel.load(out)) {
            assertEquals(32, loaded.dimension());
        }
    }

    @Test
    void searchesTheRatioOnADevSplit() throws Exception {
        Path data = CliTestKit.beir(tmp.resolve("data"), "dev", 8);
        Path out = tmp.resolve("searched");
        Run r = run("merge", "--model", modelA.toString(), "--model", modelB.toString(), "--search", "--data",
                data.toString(), "--ratios", "0.5", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0.50 ") && r.out().contains("<- chosen"), r.out());
        assertTrue(Files.readString(out.resolve("README.md")).contains("searched ratio"));
    }

    @Test
    void weightsFromExamples() throws Exception {
        Path ex = tmp.resolve("train.jsonl");
        Files.writeString(ex, "{\"query\": \"install web server\", \"pos\": [\"nginx is a fast http server and reverse"
                + " proxy\"], \"neg\": [\"vim is a highly configurable text editor\"]}\n"
                + "{\"query\": \"edit text files\", \"pos\": [\"vim is a highly configurable text editor\"], \"neg\":"
                + " [\"a graphical web browser with tabs\"]}\n");
        Path out = tmp.resolve("auto");
        Run r = run("merge", "--model", modelA.toString(), "--model", modelB.toString(), "--examples", ex.toString(),
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("-> weight"), r.out());
        assertTrue(Files.readString(out.resolve("merge_recipe.json")).contains("softmax(-loss/T), T=5.0"));
    }

    @Test
    void refusesBadFlags() {
        Run twoModes = run("merge", "--model", modelA.toString(), "--weight", "0.5", "--model", modelB.toString(),
                "--weight", "0.5", "--search", "--output", tmp.resolve("x").toString());
        assertEquals(2, twoModes.code());
        assertTrue(twoModes.err().contains("exactly one of"), twoModes.err());
        Run sum = run("merge", "--model", modelA.toString(), "--weight", "0.5", "--model", modelB.toString(),
                "--weight", "0.6", "--output", tmp.resolve("y").toString());
        assertEquals(1, sum.code());
        assertTrue(sum.err().contains("sum to 1"), sum.err());
        Run count = run("merge", "--model", modelA.toString(), "--weight", "1", "--model", modelB.toString(),
                "--output", tmp.resolve("z").toString());
        assertEquals(2, count.code());
        assertFalse(Files.exists(tmp.resolve("y")));
    }
}

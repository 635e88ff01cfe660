package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.DOCS;
import static io.bge4j.examples.cli.CliTestKit.QUERIES;
import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.examples.cli.CliTestKit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneCommandTest {

    @TempDir
    Path tmp;

    Path model;
    Path train;
    Path dev;

    @BeforeEach
    void setUp() throws Exception {
        model = CliTestKit.tinyModel(tmp.resolve("model"), CliTestKit.allTexts(), 1);
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < QUERIES.length; i++) {
            t.append("{\"query\": \"").append(QUERIES[i][1]).append("\", \"pos\": [\"").append(DOCS[i][1])
                    .append("\"], \"neg\": []}\n");
        }
        train = tmp.resolve("train.jsonl");
        Files.writeString(train, t);
        dev = CliTestKit.beir(tmp.resolve("dev"), "dev", 8);
    }

    private static List<JsonNode> lines(Path metrics, String type) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = json.readTree(line);
            if (n.get("type").asText().equals(type)) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void trainsWithDevEvaluationAndWritesBestFinalAndMetrics() throws Exception {
        Path out = tmp.resolve("run");
        Run r = run("finetune", "--model", model.toString(), "--train", train.toString(), "--dev", dev.toString(),
                "--output", out.toString(), "--max-steps", "4", "--batch-size", "4", "--group-size", "2",
                "--lr", "1e-3", "--warmup-ratio", "0", "--temperature", "0.05", "--eval-every", "2",
                "--query-max-len", "16", "--passage-max-len", "24", "--seed", "7");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("best/model.safetensors")), "best model");
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")), "final model");

        Path metrics = out.resolve("metrics.jsonl");
        List<JsonNode> steps = lines(metrics, "step");
        assertEquals(4, steps.size());
        // --lr and --warmup-ratio reach the schedule: no warmup, linear decay over 4 steps from the peak
        assertEquals(1e-3, steps.get(0).get("lr").asDouble(), 1e-12);
        assertEquals(7.5e-4, steps.get(1).get("lr").asDouble(), 1e-12);
        assertEquals(2.5e-4, steps.get(3).get("lr").asDouble(), 1e-12);
        List<JsonNode> evals = lines(metrics, "eval");
        assertEquals(List.of(0L, 2L, 4L), evals.stream().map(n -> n.get("step").asLong()).toList(),
                "base evaluation, then every 2 steps (--eval-every)");
        JsonNode best = null;
        for (JsonNode e : evals) {
            if (e.get("best").asBoolean()) {
                best = e;
            }
        }
        assertTrue(best != null);

        String o = r.out();
        assertTrue(o.contains("dev: " + dev + " split 'dev', 8 queries, 8 documents"), o);
        assertTrue(o.contains("training on 8 examples: batch 4 x group 2, 2 steps per epoch, 4 steps"), o);
        assertTrue(o.contains("] 4/4 100%"), o);
        assertTrue(o.contains("eval before training: ndcg@10 = "), o);
        assertTrue(o.contains(String.format(Locale.ROOT, "best dev ndcg@10 = %.4f at step %d",
                best.get("value").asDouble(), best.get("step").asLong())), o);
        assertTrue(o.contains("best model:  " + out.resolve("best")), o);
        assertTrue(o.contains("final model: " + out.resolve("final")), o);
        assertTrue(o.contains("metrics log: " + metrics), o);
        assertTrue(o.contains("warning NO_NEGATIVES: 8 of 8 examples have no negatives"), "diagnostics are printed\n" + o);
        assertTrue(o.contains("  suggestion: mine hard negatives first"), o);
    }

    @Test
    void withoutDevOnlyTheFinalModelIsWritten() throws Exception {
        Path out = tmp.resolve("run");
        Run r = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output", out.toString(),
                "--epochs", "2", "--batch-size", "8", "--group-size", "1", "--query-max-len", "16",
                "--passage-max-len", "24", "--no-progress");
        // group size 1: the 8 examples have no negatives and fill one batch, so none could be borrowed
        assertEquals(0, r.code(), r.err());
        assertEquals(2, lines(out.resolve("metrics.jsonl"), "step").size(), "2 epochs of 1 step");
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")));
        assertFalse(Files.exists(out.resolve("best")));
        assertFalse(r.out().contains("best model:"), r.out());
        assertFalse(r.out().contains("ETA"), "--no-progress\n" + r.out());
        assertTrue(r.out().contains("stop reason: COMPLETED after 2 steps"), r.out());
    }

    @Test
    void badFlagsAndMissingFiles() {
        Path out = tmp.resolve("run");
        Run early = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output",
                out.toString(), "--early-stopping", "2");
        assertEquals(2, early.code());
        assertTrue(early.err().contains("--early-stopping needs --dev"), early.err());
        assertTrue(early.err().contains("Usage: bge4j finetune"), early.err());

        Run notNumber = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output",
                out.toString(), "--epochs", "two");
        assertEquals(2, notNumber.code());
        assertTrue(notNumber.err().contains("Invalid value for option '--epochs': 'two' is not an int"),
                notNumber.err());

        Run unknown = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output",
                out.toString(), "--learning-rate", "1e-5");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown options: '--learning-rate', '1e-5'"), unknown.err());

        Run temperature = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output",
                out.toString(), "--temperature", "0", "--max-steps", "1");
        assertEquals(1, temperature.code());
        assertTrue(temperature.err().contains("error: temperature must be > 0, got 0.0"), temperature.err());

        Path none = tmp.resolve("none.jsonl");
        Run missing = run("finetune", "--model", model.toString(), "--train", none.toString(), "--output",
                out.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("error: training file not found: " + none), missing.err());

        Path noDev = tmp.resolve("no-dev");
        Run missingDev = run("finetune", "--model", model.toString(), "--train", train.toString(), "--dev",
                noDev.toString(), "--output", out.toString());
        assertEquals(1, missingDev.code());
        assertTrue(missingDev.err().contains("error: dev data set directory not found: " + noDev), missingDev.err());

        Run metric = run("finetune", "--model", model.toString(), "--train", train.toString(), "--output",
                out.toString(), "--metric", "ndcg");
        assertEquals(2, metric.code());
        assertTrue(metric.err().contains("--metric: metric 'ndcg' must look like name@k"), metric.err());
        assertFalse(Files.exists(out.resolve("final")), "nothing trained");
    }

    @Test
    void helpListsEveryBuilderFlag() {
        Run help = run("finetune", "--help");
        assertEquals(0, help.code());
        for (String flag : List.of("--model", "--train", "--dev", "--dev-split", "--output", "--epochs", "--max-steps",
                "--batch-size", "--group-size", "--lr", "--temperature", "--query-max-len", "--passage-max-len",
                "--gradient-cache", "--warmup-ratio", "--eval-every", "--early-stopping", "--seed")) {
            assertTrue(help.out().contains(flag), flag + " in\n" + help.out());
        }
    }
}

package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.DOCS;
import static io.bge4j.examples.cli.CliTestKit.QUERIES;
import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.examples.cli.CliTestKit.Run;
import io.bge4j.train.StepRecord;
import io.bge4j.train.report.MetricsLog;
import io.bge4j.train.report.TrainingHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
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
    void aGuardDataSetIsEvaluatedAndReachesTheVerdict() throws Exception {
        Path out = tmp.resolve("guarded");
        Run r = run("finetune", "--model", model.toString(), "--train", train.toString(), "--dev", dev.toString(),
                "--guard", dev.toString(), "--guard-split", "dev", "--output", out.toString(), "--max-steps", "2",
                "--batch-size", "4", "--group-size", "2", "--lr", "1e-3", "--query-max-len", "16",
                "--passage-max-len", "24", "--seed", "7", "--no-progress");
        assertEquals(0, r.code(), r.err());
        String name = "guard:" + dev.getFileName();
        assertTrue(r.out().contains("guard: " + dev + " split 'dev', 8 queries, 8 documents"), r.out());
        JsonNode verdict = new ObjectMapper().readTree(Files.readString(out.resolve("verdict.json")));
        assertTrue(verdict.toString().contains(name), verdict.toString());
        Run orphan = run("finetune", "--model", model.toString(), "--train", train.toString(), "--guard",
                dev.toString(), "--output", tmp.resolve("orphan").toString(), "--max-steps", "1");
        assertEquals(2, orphan.code(), orphan.err());
        assertTrue(orphan.err().contains("--guard needs --dev"), orphan.err());
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

        // the verdict: base vs best on dev, printed and written next to the run
        JsonNode v = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("verdict.json").toFile());
        JsonNode dev0 = v.get("evaluators").get(0);
        assertEquals("dev", dev0.get("evaluator").asText());
        assertEquals(evals.get(0).get("value").asDouble(), dev0.get("base").asDouble(), 1e-12);
        assertEquals(best.get("value").asDouble(), dev0.get("tuned").asDouble(), 1e-12);
        assertEquals(8, dev0.get("better").asInt() + dev0.get("worse").asInt() + dev0.get("unchanged").asInt());
        String label = io.bge4j.eval.verdict.Outcome.valueOf(dev0.get("outcome").asText()).label();
        assertTrue(o.contains("verdict: " + v.get("headline").asText()), o);
        assertTrue(o.contains(String.format(Locale.ROOT, "  dev: %s — ndcg@10 %.4f → %.4f", label,
                dev0.get("base").asDouble(), dev0.get("tuned").asDouble())), o);
        assertTrue(o.contains(String.format(Locale.ROOT, "%d queries better, %d worse", dev0.get("better").asInt(),
                dev0.get("worse").asInt())), o);
        assertTrue(o.contains("verdict: " + out.resolve("verdict.md") + " and " + out.resolve("verdict.json")), o);
        assertTrue(Files.readString(out.resolve("verdict.md")).contains("| dev | " + label + " | ndcg@10 |"));
        assertTrue(Files.readString(out.resolve("best/README.md")).contains("95 % CI of Δ"), "the card has intervals");
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
                "--gradient-cache", "--warmup-ratio", "--eval-every", "--early-stopping", "--seed", "--resume",
                "--overwrite", "--checkpoint-every", "--keep-checkpoints", "--dynamic-negatives", "--corpus",
                "--cross-batch-memory", "--memory-warmup", "--distillation", "--teacher-temperature", "--weight-decay",
                "--gradient-accumulation", "--device", "--max-grad-norm", "--schedule", "--[no-]eval-base",
                "--[no-]save-final", "--[no-]in-batch-negatives")) {
            assertTrue(help.out().contains(flag), flag + " in\n" + help.out());
        }
    }

    /** The common arguments of a tiny run: 8 examples, batch 4 x group 2, 2 steps per epoch, no dropout. */
    private String[] tiny(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--train", train.toString(),
                "--output", out.toString(), "--batch-size", "4", "--group-size", "2", "--lr", "1e-3",
                "--query-max-len", "16", "--passage-max-len", "24", "--seed", "3", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    private static List<Path> checkpointDirs(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            return s.sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    @Test
    void resumeAfterAKilledRunContinuesWithTheUninterruptedLosses() throws Exception {
        assertResumeMatchesTheUninterruptedRun("--epochs", "2", "--checkpoint-every", "2", "--keep-checkpoints", "3");
    }

    @Test
    void resumeWithDynamicNegativesRefreshedAtTheCheckpointStep() throws Exception {
        // the checkpoint step (2) is a refresh step, so the resumed run re-mines the negatives of the killed one
        // (the trainer puts no two examples sharing a text in one batch: 4 batches in the epoch here)
        Run whole = assertResumeMatchesTheUninterruptedRun("--max-steps", "4", "--checkpoint-every", "2",
                "--keep-checkpoints", "3", "--dynamic-negatives", "2", "--corpus", dev.resolve("corpus.jsonl").toString(),
                "--dynamic-range", "1-6", "--dynamic-negatives-per-query", "1", "--dynamic-relative-margin", "0.01");
        assertFalse(whole.out().contains("NO_NEGATIVES"), "the first draw gives every example a negative\n" + whole.out());
        assertTrue(whole.out().contains("NEGATIVES_REFRESHED"), "refreshed at step 2\n" + whole.out());
    }

    /**
     * Runs 4 steps whole, then the same run "killed" after its step-2 checkpoint and resumed; compares them.
     *
     * @return the uninterrupted run (with its progress output)
     */
    private Run assertResumeMatchesTheUninterruptedRun(String... options) throws Exception {
        Path whole = tmp.resolve("whole");
        List<String> wholeArgs = new ArrayList<>(List.of(tiny(whole, options)));
        wholeArgs.remove("--no-progress"); // diagnostics are printed by the progress listener
        Run a = run(wholeArgs.toArray(String[]::new));
        assertEquals(0, a.code(), a.err());
        TrainingHistory uninterrupted = MetricsLog.read(whole.resolve("metrics.jsonl"));
        assertEquals(4, uninterrupted.steps().size(), () -> a.out() + "\n" + uninterrupted.steps());
        assertEquals(List.of("step-00000002", "step-00000004"),
                checkpointDirs(whole).stream().map(p -> p.getFileName().toString()).toList());

        // what the same run leaves when killed during step 4: checkpoint 2 written, step 3 logged, nothing after
        // (the run is deterministic, so its files up to then are the uninterrupted run's)
        Path killed = tmp.resolve("killed");
        copyTree(whole, killed);
        deleteTree(killed.resolve("checkpoints/step-00000004"));
        deleteTree(killed.resolve("final"));
        Files.delete(killed.resolve("report.html")); // written at the end of fit(): a killed run has none
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(killed.resolve("metrics.jsonl"))) {
            // the run_start line (no "step") is kept; steps after 3 and the run_end line are not
            if (new ObjectMapper().readTree(line).path("step").asLong() <= 3) {
                kept.add(line);
            }
        }
        Files.write(killed.resolve("metrics.jsonl"), kept);

        Run again = run(tiny(killed, options));
        assertEquals(2, again.code(), "a second run into the same --output is refused");
        assertTrue(again.err().contains("holds another run (metrics.jsonl, checkpoints/): pass --resume"), again.err());

        List<String> resumeArgs = new ArrayList<>(List.of(tiny(killed, options)));
        resumeArgs.add("--resume");
        Run resumed = run(resumeArgs.toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming from " + killed.resolve("checkpoints/step-00000002")),
                resumed.out());
        assertTrue(resumed.out().contains("stop reason: COMPLETED after 4 steps"), resumed.out());

        TrainingHistory h = MetricsLog.read(killed.resolve("metrics.jsonl"));
        assertEquals(1, h.supersededRecords(), "step 3 of the killed run is replaced by the resumed run's step 3");
        assertEquals(List.of(1L, 2L, 3L, 4L), h.steps().stream().map(StepRecord::step).toList());
        for (int i = 0; i < 4; i++) {
            StepRecord u = uninterrupted.steps().get(i);
            StepRecord r = h.steps().get(i);
            assertEquals(u.loss(), r.loss(), 1e-6 * Math.max(1, Math.abs(u.loss())), "loss at step " + u.step());
            assertEquals(u.learningRate(), r.learningRate(), 1e-15, "lr at step " + u.step());
        }
        // and the resumed run ends with the uninterrupted run's weights, byte for byte
        assertArrayEquals(Files.readAllBytes(whole.resolve("final/model.safetensors")),
                Files.readAllBytes(killed.resolve("final/model.safetensors")), "final model after resuming");
        return a;
    }

    @Test
    void resumeNeedsACheckpoint() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("metrics.jsonl"), "{\"type\": \"step\", \"step\": 1}\n"); // a run without checkpoints
        Run resumed = run(tiny(out, "--max-steps", "1", "--resume"));
        assertEquals(1, resumed.code());
        assertTrue(resumed.err().contains("error: --resume: no checkpoint in " + out.resolve("checkpoints")),
                resumed.err());
        Path notCheckpoint = tmp.resolve("model");
        Run wrong = run(tiny(out, "--max-steps", "1", "--resume", notCheckpoint.toString()));
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("--resume " + notCheckpoint + " is not a checkpoint folder"), wrong.err());
        Run both = run(tiny(out, "--resume", "--overwrite"));
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--resume and --overwrite exclude each other"), both.err());
    }

    @Test
    void overwriteReplacesOnlyTheRunFiles() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        Run first = run(tiny(out, "--max-steps", "3", "--checkpoint-every", "2", "--save-final"));
        assertEquals(0, first.code(), first.err());
        assertEquals(3, lines(out.resolve("metrics.jsonl"), "step").size());
        assertEquals(List.of("step-00000002", "step-00000003"),
                checkpointDirs(out).stream().map(p -> p.getFileName().toString()).toList(),
                "every 2 steps and at the end");

        // a file the user put into final/ stops --overwrite before anything is deleted
        Files.writeString(out.resolve("final/my-notes.md"), "keep me");
        Run refused = run(tiny(out, "--max-steps", "1", "--overwrite"));
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("holds files that are not a run's: " + out.resolve("final/my-notes.md")),
                refused.err());
        assertTrue(Files.isRegularFile(out.resolve("final/model.safetensors")), "nothing deleted");
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-00000002")), "nothing deleted");
        Files.delete(out.resolve("final/my-notes.md"));

        // an option the builder rejects fails before the earlier run is deleted
        Run badOption = run(tiny(out, "--max-steps", "1", "--overwrite", "--temperature", "0"));
        assertEquals(1, badOption.code());
        assertTrue(badOption.err().contains("temperature must be > 0"), badOption.err());
        assertEquals(3, lines(out.resolve("metrics.jsonl"), "step").size(), "the earlier run is still there");

        Run over = run(tiny(out, "--max-steps", "1", "--overwrite"));
        assertEquals(0, over.code(), over.err());
        assertEquals(1, lines(out.resolve("metrics.jsonl"), "step").size(), "the old log is gone, not appended to");
        assertFalse(Files.exists(out.resolve("checkpoints")), "old checkpoints deleted; this run wrote none");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")), "the user's file stays");

        // a verdict.md the user wrote is neither deleted by --overwrite nor replaced by the run
        Files.writeString(out.resolve("verdict.md"), "my verdict");
        Run again = run(tiny(out, "--max-steps", "1", "--overwrite", "--dev", dev.toString()));
        assertEquals(0, again.code(), again.err());
        assertEquals("my verdict", Files.readString(out.resolve("verdict.md")));
        assertTrue(Files.isRegularFile(out.resolve("verdict.json")), "the JSON verdict is still written");
        assertFalse(again.out().contains("verdict: " + out.resolve("verdict.md")), again.out());

        // a folder with only other files is not a run: training goes ahead next to them
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "mine");
        assertEquals(0, run(tiny(other, "--max-steps", "1")).code());
        assertEquals("mine", Files.readString(other.resolve("notes.txt")));
    }

    @Test
    void optimizerCheckpointAndEvaluationFlagsReachTheBuilder() throws Exception {
        Path out = tmp.resolve("run");
        Run r = run(tiny(out, "--epochs", "2", "--gradient-accumulation", "2", "--schedule", "constant",
                "--warmup-ratio", "0", "--weight-decay", "0", "--max-grad-norm", "0", "--checkpoint-every", "1",
                "--keep-checkpoints", "1", "--no-save-final", "--dev", dev.toString(), "--no-eval-base",
                "--no-in-batch-negatives", "--length-bucketing", "--cross-batch-memory", "8", "--memory-warmup", "1",
                "--distillation", "m3_kd", "--teacher-temperature", "0.5", "--device", "cpu"));
        assertEquals(0, r.code(), r.err());
        List<JsonNode> steps = lines(out.resolve("metrics.jsonl"), "step");
        assertEquals(2, steps.size(), "2 epochs of 8 examples, 2 micro-batches of 4 per step");
        for (JsonNode s : steps) {
            assertEquals(1e-3, s.get("lr").asDouble(), 1e-15, "constant schedule, no warmup");
        }
        assertEquals(List.of(1L, 2L), lines(out.resolve("metrics.jsonl"), "eval").stream()
                .map(n -> n.get("step").asLong()).toList(), "no base evaluation, one per epoch");
        assertEquals(List.of("step-00000002"),
                checkpointDirs(out).stream().map(p -> p.getFileName().toString()).toList(), "--keep-checkpoints 1");
        assertFalse(Files.exists(out.resolve("final")), "--no-save-final");
    }

    @Test
    void newFlagsAreValidatedByName() {
        Path out = tmp.resolve("run");
        String corpus = dev.resolve("corpus.jsonl").toString();
        String[][] cases = {
            {"--schedule", "step", "--schedule must be linear, cosine or constant, was 'step'"},
            {"--weight-decay", "-1", "--weight-decay must be >= 0, got -1.0"},
            {"--max-grad-norm", "-0.5", "--max-grad-norm must be >= 0 (0 disables clipping), got -0.5"},
            {"--gradient-accumulation", "0", "--gradient-accumulation must be >= 1, got 0"},
            {"--checkpoint-every", "0", "--checkpoint-every must be >= 1 (leave it out for no checkpoints), got 0"},
            {"--keep-checkpoints", "2", "--keep-checkpoints needs --checkpoint-every"},
            {"--memory-warmup", "5", "--memory-warmup needs --cross-batch-memory"},
            {"--cross-batch-memory", "-1", "--cross-batch-memory must be >= 0 (0 = off), got -1"},
            {"--distillation", "mse", "--distillation must be kl_div or m3_kd, was 'mse'"},
            {"--teacher-temperature", "0", "--teacher-temperature must be > 0, got 0.0"},
            {"--corpus", corpus, "--corpus needs --dynamic-negatives N"},
            {"--dynamic-negatives", "2", "--dynamic-negatives needs --corpus (the documents to mine from)"},
            {"--dynamic-negatives", "0", "--corpus", corpus, "--dynamic-negatives must be >= 1"},
            {"--dynamic-negatives", "2", "--corpus", corpus, "--dynamic-range", "9-3",
                "--dynamic-range needs from < to, was '9-3'"},
            {"--device", "tpu", "--device must be cpu, gpu or gpu:N, was 'tpu'"},
            {"--no-eval-base", "--[no-]eval-base needs --dev"},
            {"--dev", dev.toString(), "--merge-ratios", "0.5", "--merge-ratios needs --guard"},
            {"--dev", dev.toString(), "--no-merge-search", "--[no-]merge-search needs --guard"},
            {"--dev", dev.toString(), "--guard", dev.toString(), "--merge-ratios", "0.5,0.2",
                "--merge-ratios must be ascending without repeats, got [0.5, 0.2]"},
            {"--dev", dev.toString(), "--guard", dev.toString(), "--merge-ratios", "0.5,1.5",
                "--merge-ratios must lie in [0, 1], got 1.5"},
            {"--dev", dev.toString(), "--guard", dev.toString(), "--max-general-drop", "-1",
                "--max-general-drop must be a finite value >= 0, got -1.0"},
        };
        for (String[] c : cases) {
            String[] args = tiny(out, Arrays.copyOf(c, c.length - 1));
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", c) + "\n" + r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
        }
        Run gpu = run(tiny(out, "--device", "gpu:999"));
        assertEquals(1, gpu.code());
        assertTrue(gpu.err().contains("error: --device gpu:999: the engine sees "), gpu.err());
        assertFalse(Files.exists(out), "nothing was trained or written");
    }

    @Test
    void mergeSearchFlagsReachTheBuilder() {
        FinetuneCommand cmd = new FinetuneCommand();
        new picocli.CommandLine(cmd).parseArgs(flags(tiny(tmp.resolve("unused"), "--dev", dev.toString(), "--guard",
                dev.toString(), "--merge-ratios", "0.2,0.4", "--max-general-drop", "0.03")));
        io.bge4j.eval.Evaluator e = embedder -> {
            throw new AssertionError("not evaluated");
        };
        io.bge4j.train.Finetuner.Builder b = io.bge4j.train.Finetuner.builder()
                .evaluator(e, io.bge4j.eval.Metric.NDCG_AT_10).guardEvaluator(e);
        cmd.apply(b);
        io.bge4j.train.FinetuneConfig c = b.build().config();
        assertTrue(c.mergeSearch(), "on by default with a guard");
        assertEquals(List.of(0.2, 0.4), c.mergeRatios());
        assertEquals(0.03, c.maxGeneralDrop());
        FinetuneCommand off = new FinetuneCommand();
        new picocli.CommandLine(off).parseArgs(flags(tiny(tmp.resolve("unused"), "--no-merge-search")));
        io.bge4j.train.Finetuner.Builder b2 = io.bge4j.train.Finetuner.builder()
                .evaluator(e, io.bge4j.eval.Metric.NDCG_AT_10).guardEvaluator(e);
        off.apply(b2);
        assertFalse(b2.build().config().mergeSearch());
    }

    /** @return the arguments after the subcommand's name */
    private static String[] flags(String[] args) {
        return Arrays.copyOfRange(args, 1, args.length);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}

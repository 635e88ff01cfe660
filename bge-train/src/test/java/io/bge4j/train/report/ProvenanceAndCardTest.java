package io.bge4j.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.DataFormatException;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryCounts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceAndCardTest {

    static final Metric NDCG = Metric.NDCG_AT_10;
    static final Metric RECALL = Metric.parse("recall@10");
    static final Versions VERSIONS = new Versions("0.1.0-test", "0.33.0", "PyTorch 2.5.1", "17.0.9 (Test)", "Linux x");

    // ------------------------------------------------------------------ fingerprints

    @Test
    void fileFingerprintIsTheSha256OfTheBytes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("abc.txt");
        Files.writeString(f, "abc");
        // FIPS 180-2 test vector for "abc"
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Fingerprints.file(f));
    }

    @Test
    void weightsFingerprintHashesTheDocumentedByteLayout() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4 + 8 + 8 + 4 + 1 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).put((byte) 'a').putInt(1).putLong(2).putFloat(1.0f).putFloat(-2.0f); // "a": [1, -2]
        b.putInt(1).put((byte) 'b').putInt(0).putFloat(0.5f);                             // "b": scalar 0.5
        String expected = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("b", new TensorData("b", new long[0], new float[] {0.5f}));   // inserted out of order on purpose
        t.put("a", new TensorData("a", new long[] {2}, new float[] {1.0f, -2.0f}));
        assertEquals(expected, Fingerprints.tensors(t));
        t.put("a", new TensorData("a", new long[] {2}, new float[] {1.0f, -2.0000002f}));
        assertNotEquals(expected, Fingerprints.tensors(t), "one ulp changes the fingerprint");
    }

    @Test
    void modelFingerprintFollowsTheWeights() {
        try (BgeModel m = TinyModels.bert(List.of("apt installs packages"), 7, 0)) {
            String before = Fingerprints.model(m);
            assertEquals(Fingerprints.tensors(m.toTensors()), before);
            Map<String, TensorData> w = new LinkedHashMap<>(m.toTensors());
            String name = w.keySet().iterator().next();
            TensorData t = w.get(name);
            float[] data = t.data().clone();
            data[0] += 1;
            w.put(name, new TensorData(name, t.shape(), data));
            m.loadTensors(w);
            assertNotEquals(before, Fingerprints.model(m));
            ModelInfo info = ModelInfo.of(m);
            assertEquals("bert", info.architecture());
            assertEquals(32, info.dimension());
            assertEquals(Fingerprints.model(m), info.fingerprint());
        }
    }

    @Test
    void examplesFingerprintIgnoresTheSourceLabelButNotTheText() {
        TrainingExample a = TrainingExample.of("q", List.of("p"), List.of("n1", "n2"));
        String fp = Fingerprints.examples(List.of(a));
        assertEquals(fp, Fingerprints.examples(List.of(a.withSource("other.jsonl"))));
        assertNotEquals(fp, Fingerprints.examples(List.of(a.withNegatives(List.of("n1")))));
        // length-prefixed: moving a character between fields changes the hash
        assertNotEquals(Fingerprints.examples(List.of(TrainingExample.of("ab", List.of("c"), List.of()))),
                Fingerprints.examples(List.of(TrainingExample.of("a", List.of("bc"), List.of()))));
    }

    // ------------------------------------------------------------------ provenance

    static EvaluationResult result(String name, double[] ndcg) {
        Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
        double s = 0;
        double r = 0;
        for (int i = 0; i < ndcg.length; i++) {
            perQuery.put("q" + i, Map.of(NDCG, ndcg[i], RECALL, Math.min(1, 2 * ndcg[i])));
            s += ndcg[i];
            r += Math.min(1, 2 * ndcg[i]);
        }
        return new EvaluationResult(name, NDCG, List.of(NDCG, RECALL), Map.of(NDCG, s / ndcg.length, RECALL,
                r / ndcg.length), perQuery, new QueryCounts(ndcg.length, 0, 0, 0), Map.of(), null);
    }

    static Comparison comparison() {
        return Comparison.builder().base(result("base", new double[] {.2, .4, .6, .3}))
                .tuned(result("tuned", new double[] {.6, .4, .9, .1})).bootstrapSamples(500).permutations(1000).build();
    }

    static Provenance provenance() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("batchSize", 32);
        config.put("learningRate", 3e-5);
        config.put("temperature", 0.02);
        config.put("inBatchNegatives", true);
        config.put("schedule", java.time.DayOfWeek.MONDAY);   // any enum: written as its name
        config.put("outputDir", Path.of("runs/demo"));
        config.put("resumeFrom", null);
        return Provenance.builder()
                .baseModel("bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", "sha256:00ff")
                .model(new ModelInfo("demo | tuned", "bert", 384, "CLS", true, 512,
                        "Represent this sentence for searching relevant passages: ", "sha256:abcd"))
                .trainingData(new TrainingData("train.jsonl", 320, "sha256:1234", "file"))
                .configuration(config)
                .loss("InfoNCE (temperature 0.02, in-batch negatives)")
                .training(new TrainingSummary(42, "COMPLETED", 95.25, 40L, 0.5))
                .evaluation(comparison(), "debian-packages-en/dev")
                .versions(VERSIONS).createdAt(Instant.parse("2026-12-02T06:00:00Z"))
                .build();
    }

    @Test
    void provenanceRoundTripsThroughJson(@TempDir Path dir) throws IOException {
        Provenance p = provenance();
        OutputFile f = p.write(dir);
        assertEquals(OutputFile.Status.WRITTEN, f.status());
        Provenance back = Provenance.read(dir.resolve(Provenance.FILE));
        assertEquals(p, back);
        String json = Files.readString(dir.resolve("provenance.json"));
        assertTrue(json.contains("\"schema\" : \"bge4j.provenance/1\""), json);
        assertTrue(json.contains("\"base_model\" : {"), json);
        assertTrue(json.contains("\"batchSize\" : 32,"), "integers stay numbers: " + json);
        assertTrue(json.contains("\"schedule\" : \"MONDAY\""), json);
        assertTrue(json.contains("\"outputDir\" : \"runs/demo\""), json);
        assertTrue(json.contains("\"resumeFrom\" : null"), json);
        assertTrue(json.contains("\"ci_low\" : "), json);
        assertEquals(OutputFile.Status.REPLACED, p.write(dir).status());
    }

    @Test
    void comparisonCarriesIntervalsPrimaryFirst() {
        Comparison c = comparison();
        EvaluationSummary ev = provenance().evaluation();
        assertEquals("ndcg@10", ev.primaryMetric());
        assertEquals(4L, ev.queries());
        assertEquals(0.95, ev.confidence());
        MetricChange first = ev.metrics().get(0);
        MetricComparison ndcg = c.metric(NDCG);
        assertEquals("ndcg@10", first.metric());
        assertEquals(0.375, first.before(), 1e-12);   // (.2+.4+.6+.3)/4
        assertEquals(0.5, first.after(), 1e-12);      // (.6+.4+.9+.1)/4
        assertEquals(0.125, first.delta(), 1e-12);
        assertEquals(ndcg.ciLow(), first.ciLow());
        assertEquals(ndcg.ciHigh(), first.ciHigh());
        assertEquals(ndcg.pValue(), first.pValue());
        assertEquals("recall@10", ev.metrics().get(1).metric());
    }

    @Test
    void builderNamesTheMissingPart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Provenance.builder()
                .baseModel("a", "a", "sha256:0").loss("x").build());
        assertEquals("model is required", e.getMessage());
    }

    @Test
    void readingSomethingElseNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("provenance.json");
        Files.writeString(f, "{\"name\": \"someone else's\"}");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Provenance.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bge4j.provenance/1"), e.getMessage());
    }

    // ------------------------------------------------------------------ model card

    @Test
    void cardHasFrontMatterUsageDataConfigurationMetricsAndVersions() {
        String md = ModelCardWriter.render(provenance(), "runs/demo/final");
        assertTrue(md.startsWith("---\nlibrary_name: sentence-transformers\npipeline_tag: sentence-similarity\ntags:\n"
                + "- sentence-transformers\n- sentence-similarity\n- feature-extraction\n- bge\n- bge4j\n"
                + "base_model: \"BAAI/bge-small-en-v1.5\"\n---\n\n" + ModelCardWriter.MARKER), md);
        assertTrue(md.contains("# demo \\| tuned\n"), "pipes escaped in the title: " + md);
        assertTrue(md.contains("on 320 training examples. It maps a text to a 384-dimensional vector (CLS pooling,"
                + " L2-normalised)"), md);
        assertTrue(md.contains("BgeModel.load(Path.of(\"runs/demo/final\"))"), md);
        assertTrue(md.contains("model = SentenceTransformer(\"runs/demo/final\")"), md);
        assertTrue(md.contains("q = model.encode([\"Represent this sentence for searching relevant passages: \" +"
                + " \"how do I install a web server\"], normalize_embeddings=True)"), md);
        assertTrue(md.contains("emb = hidden[:, 0]   # CLS pooling\nemb = torch.nn.functional.normalize(emb, p=2, dim=1)"),
                md);
        assertTrue(md.contains("| SHA-256 (file) | `sha256:1234` |"), md);
        assertTrue(md.contains("42 optimizer steps in 95.3 s, stopped: COMPLETED. Best evaluation at step 40 (0.5000)."),
                md);
        assertTrue(md.contains("| `batchSize` | 32 |\n| `learningRate` | 0.00003 |\n| `temperature` | 0.02 |\n"
                + "| `inBatchNegatives` | true |\n| `schedule` | MONDAY |\n| `outputDir` | runs/demo |\n"
                + "| `resumeFrom` | (not set) |\n"), md);
        MetricComparison ndcg = comparison().metric(NDCG);
        String ci = String.format(java.util.Locale.ROOT, "[%+.4f, %+.4f]", ndcg.ciLow(), ndcg.ciHigh());
        assertTrue(md.contains("| metric | before | after | Δ | 95 % CI of Δ | p |"), md);
        assertTrue(md.contains("| **ndcg@10** | 0.3750 | 0.5000 | +0.1250 | " + ci + " | "), md);
        assertTrue(md.contains("| DJL | 0.33.0 |"), md);
        assertTrue(md.contains("| Written | 2026-12-02T06:00:00Z |"), md);
    }

    @Test
    void cardWithoutEvaluatorOrHubIdLeavesThoseOut() {
        Provenance p = provenance();
        Provenance local = new Provenance(p.schema(), new BaseModelInfo("tiny", "/tmp/models/tiny", "sha256:0"),
                new ModelInfo("tiny", "bert", 32, "MEAN", false, 128, "", "sha256:1"), p.data(),
                Map.of(), p.loss(), p.training(), null, p.versions(), p.createdAt());
        String md = ModelCardWriter.render(local, "out");
        assertFalse(md.contains("base_model:"), md);
        assertFalse(md.contains("## Evaluation"), md);
        assertTrue(md.contains("emb = (hidden * mask).sum(1) / mask.sum(1)   # mean pooling"), md);
        assertFalse(md.contains("normalize"), md);
    }

    @Test
    void aReadmeBge4jDidNotWriteIsLeftAloneAndSaidSo(@TempDir Path dir) throws IOException {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# My model\n\nnotes I wrote by hand\n");
        List<OutputFile> files = ModelCardWriter.writeAll(dir, provenance());
        assertEquals(OutputFile.Status.SKIPPED, files.get(0).status());
        assertTrue(files.get(0).reason().contains("was not written by bge4j; left unchanged"), files.get(0).reason());
        assertEquals("# My model\n\nnotes I wrote by hand\n", Files.readString(readme));
        assertEquals(OutputFile.Status.WRITTEN, files.get(1).status(), "provenance.json is still written");
        assertEquals(Set.of("README.md", "provenance.json"), names(dir), "no temporary file left behind");
    }

    @Test
    void aCardBge4jWroteIsReplaced(@TempDir Path dir) throws IOException {
        assertEquals(OutputFile.Status.WRITTEN, ModelCardWriter.write(dir, provenance()).status());
        Files.writeString(dir.resolve("README.md"), Files.readString(dir.resolve("README.md")) + "\nold line\n");
        assertEquals(OutputFile.Status.REPLACED, ModelCardWriter.write(dir, provenance()).status());
        assertFalse(Files.readString(dir.resolve("README.md")).contains("old line"));
        // a folder named README.md is not a file bge4j wrote either
        Path other = dir.resolve("sub");
        Files.createDirectories(other.resolve("README.md"));
        assertEquals(OutputFile.Status.SKIPPED, ModelCardWriter.write(other, provenance()).status());
    }

    @Test
    void writtenFilesGetTheUmaskPermissionsOfANewFile(@TempDir Path dir) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return; // permissions are a POSIX notion
        }
        Path plain = Files.createFile(dir.resolve("plain"));   // what the umask gives a new file
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        ModelCardWriter.writeAll(dir, provenance());
        assertEquals(expected, Files.getPosixFilePermissions(dir.resolve("README.md")));
        assertEquals(expected, Files.getPosixFilePermissions(dir.resolve("provenance.json")));
    }

    // ------------------------------------------------------------------ trainer state

    @Test
    void trainerStateRoundTripsAndReadsTodaysCheckpointFiles(@TempDir Path dir) throws IOException {
        TrainerState s = new TrainerState(TrainerState.SCHEMA, 120, 400, 1, 42, 320, "ndcg@10", 0.91, 100L, 1, 0.905,
                null, "best", "2026-12-02T06:00:00Z");
        assertEquals(OutputFile.Status.WRITTEN, s.write(dir).status());
        assertEquals(s, TrainerState.read(dir.resolve("trainer_state.json")));
        String json = Files.readString(dir.resolve("trainer_state.json"));
        assertTrue(json.contains("\"total_steps\" : 400"), json);
        assertTrue(json.contains("\"evals_without_improvement\" : 1"), json);
        // the format TrainingRun writes into checkpoints today: no schema, -Infinity as a string before any evaluation
        Path legacy = dir.resolve("legacy");
        Files.createDirectories(legacy);
        Files.writeString(legacy.resolve("trainer_state.json"), "{\"step\":4,\"total_steps\":10,\"seed\":42,"
                + "\"examples\":20,\"best_value\":\"-Infinity\",\"best_step\":-1,\"evals_without_improvement\":0,"
                + "\"patience_reference\":\"-Infinity\"}");
        TrainerState old = TrainerState.read(legacy.resolve("trainer_state.json"));
        assertEquals(4, old.step());
        assertEquals(10, old.totalSteps());
        assertNull(old.schema());
        assertNull(old.bestValue());
        assertNull(old.bestStep());
        assertEquals(OutputFile.Status.REPLACED, old.write(legacy).status());
        assertTrue(Files.readString(legacy.resolve("trainer_state.json")).contains(TrainerState.SCHEMA));
    }

    @Test
    void someoneElsesTrainerStateIsLeftAlone(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("trainer_state.json");
        String hf = "{\"global_step\": 3, \"log_history\": []}";
        Files.writeString(f, hf);
        TrainerState s = new TrainerState(null, 1, 2, 0, 1, 1, null, null, null, 0, null, null, null, null);
        assertEquals(OutputFile.Status.SKIPPED, s.write(dir).status());
        assertEquals(hf, Files.readString(f));
        DataFormatException e = assertThrows(DataFormatException.class, () -> TrainerState.read(f));
        assertTrue(e.getMessage().contains(f.toString()));
    }

    @Test
    void provenanceFromATrainingSetHashesItsExamples() {
        TrainingSet set = TrainingSet.of("t", List.of(TrainingExample.of("q", List.of("p"), List.of("n"))));
        Provenance p = Provenance.builder().baseModel("a", "a", "sha256:0")
                .model(new ModelInfo("m", "bert", 8, "CLS", true, 16, "", "sha256:1")).trainingSet(set)
                .loss("InfoNCE").training(new TrainingSummary(1, "COMPLETED", 1, null, null)).versions(VERSIONS)
                .build();
        assertEquals(new TrainingData("t", 1, Fingerprints.examples(set.examples()), "examples"), p.data());
        assertEquals(new String(HexFormat.of().parseHex("7368613235363a"), StandardCharsets.US_ASCII),
                p.data().sha256().substring(0, 7));
    }

    private static Set<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}

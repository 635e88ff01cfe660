package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.Metric;
import io.bge4j.train.report.Fingerprints;
import io.bge4j.train.report.MetricChange;
import io.bge4j.train.report.MetricsLog;
import io.bge4j.train.report.ModelCardWriter;
import io.bge4j.train.report.Provenance;
import io.bge4j.train.report.TrainingHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What fit() leaves in outputDir: run records in metrics.jsonl, model cards with provenance, report.html. */
class RunOutputsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Finetuner.Builder base(BgeModel m, Path out) {
        // base 0.5, step 2 -> 0.7 (best), step 4 -> 0.6
        return Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2)
                .maxSteps(4).seed(3).evaluator(FinetunerTest.scripted(0.5, 0.7, 0.6), Metric.NDCG_AT_10)
                .evaluateEvery(2).checkpointEvery(2).outputDir(out);
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static void closeBest(FinetuneResult r) {
        if (r.bestModel() != r.finalModel()) {
            r.bestModel().close();
        }
    }

    @Test
    void fitWritesRunRecordsCardsProvenanceAndReport(@TempDir Path out) throws Exception {
        String baseFp;
        String finalFp;
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            baseFp = Fingerprints.model(m);
            FinetuneResult r = base(m, out).build().fit();
            finalFp = Fingerprints.model(m);
            assertEquals(FinetuneResult.StopReason.COMPLETED, r.stopReason());
            assertEquals(2, r.bestEvaluation().orElseThrow().step());
            closeBest(r);
        }
        assertTrue(!baseFp.equals(finalFp), "training changed the weights");

        List<JsonNode> log = lines(out.resolve("metrics.jsonl"));
        assertEquals("run_start", log.get(0).get("type").asText());
        assertEquals(0, log.get(0).get("start_step").asLong());
        assertTrue(log.get(0).get("resumed_from") == null, "a fresh run names no checkpoint");
        JsonNode last = log.get(log.size() - 1);
        assertEquals("run_end", last.get("type").asText());
        assertEquals(4, last.get("step").asLong());
        assertEquals("COMPLETED", last.get("stop_reason").asText());

        String card = Files.readString(out.resolve("final/README.md"));
        assertTrue(ModelCardWriter.isOurs(card), card);
        Provenance p = Provenance.read(out.resolve("final/" + Provenance.FILE));
        assertEquals(baseFp, p.baseModel().fingerprint(), "the base fingerprint is taken before training");
        assertEquals(finalFp, p.model().fingerprint());
        assertEquals(Fingerprints.examples(FinetunerTest.trainingSet().examples()), p.data().sha256());
        assertEquals(8, p.data().examples());
        assertEquals(4, p.training().steps());
        assertEquals("COMPLETED", p.training().stopReason());
        assertEquals(2L, p.training().bestStep());
        assertEquals("4", p.configuration().get("batchSize"));
        assertTrue(p.loss().contains("InfoNCE"), p.loss());
        MetricChange primary = p.evaluation().metrics().get(0);
        assertEquals(Metric.NDCG_AT_10.key(), primary.metric());
        assertEquals(0.5, primary.before(), 1e-12);
        assertEquals(0.6, primary.after(), 1e-12, "final/ describes the evaluation of the final weights (step 4)");

        Provenance bp = Provenance.read(out.resolve("best/" + Provenance.FILE));
        assertTrue(Files.isRegularFile(out.resolve("best/README.md")));
        assertTrue(!bp.model().fingerprint().equals(finalFp), "best/ (step 2) describes its own weights");
        assertEquals(0.7, bp.evaluation().metrics().get(0).after(), 1e-12, "and the best evaluation's metrics");

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("bge4j training report"), "report.html is the training report");
        assertTrue(html.contains("<svg"), "with curves");
    }

    @Test
    void resumedFitAppendsASecondRunStart(@TempDir Path out) throws Exception {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            closeBest(base(m, out).build().fit());
        }
        Path ckpt = out.resolve("checkpoints/step-00000002");
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            closeBest(base(m, out).resumeFrom(ckpt).build().fit());
        }
        List<JsonNode> starts = lines(out.resolve("metrics.jsonl")).stream()
                .filter(j -> j.get("type").asText().equals("run_start")).toList();
        assertEquals(2, starts.size());
        assertEquals(2, starts.get(1).get("start_step").asLong());
        assertEquals(ckpt.toString(), starts.get(1).get("resumed_from").asText());
        TrainingHistory h = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertEquals(2, h.runStarts().size());
        assertEquals(List.of(1L, 2L, 3L, 4L), h.steps().stream().map(StepRecord::step).toList(),
                "the resumed steps replace the first run's steps 3 and 4");
        assertTrue(Files.isRegularFile(out.resolve("final/" + Provenance.FILE)));
    }
}

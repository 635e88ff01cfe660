package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.report.MetricsLog;
import io.bge4j.train.report.TrainingHistory;
import io.bge4j.train.report.TrainingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What MetricsWriter puts in metrics.jsonl besides steps: findings and the data mix, in a run's order. */
class MetricsWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> types(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l).get("type").asText());
        }
        return out;
    }

    static MixReport mix() {
        return new MixReport(Map.of("real", new MixReport.SourceCount(6, 6, false), "synthetic",
                new MixReport.SourceCount(10, 2, true)), 6, 2, Map.of("synthetic",
                FilterReport.of(new FilterStep("length", 12, 10, 0, Map.of("too short", 2)))));
    }

    @Test
    void preflightFindingsFollowTheRunStartAndLaterOnesAreWrittenAtOnce(@TempDir Path out) throws Exception {
        TrainingDiagnostic pre = new TrainingDiagnostic(TrainingDiagnostic.Severity.INFO, "MEMORY_PLAN", 0, "fits", "");
        TrainingDiagnostic late = new TrainingDiagnostic(TrainingDiagnostic.Severity.WARNING, "LOSS_PLATEAU", 1,
                "flat", "raise lr");
        try (MetricsWriter w = new MetricsWriter(out, Optional.of(mix()))) {
            w.onDiagnostic(pre);
            assertEquals(List.of(), Files.readAllLines(w.file()), "held until the run starts");
            w.runStart(new MetricsLog.RunStart(0, null, null));
            w.onStep(new StepRecord(1, 0, 1.0, 1.0, 0, 1e-4, 0.5, 10, 100));
            w.onDiagnostic(late);
            w.runEnd(1, FinetuneResult.StopReason.COMPLETED);
        }
        Path f = out.resolve("metrics.jsonl");
        assertEquals(List.of("run_start", "data_mix", "diagnostic", "step", "diagnostic", "run_end"), types(f));
        TrainingHistory h = MetricsLog.read(f);
        assertEquals(List.of(pre, late), h.diagnostics());
        assertEquals(mix(), h.dataMix());
    }

    @Test
    void aRunThatNeverStartsStillLeavesItsFindings(@TempDir Path out) throws Exception {
        TrainingDiagnostic err = new TrainingDiagnostic(TrainingDiagnostic.Severity.ERROR, "NOTHING_TO_BORROW", 0,
                "groupSize 4 but no negatives", "add negatives");
        try (MetricsWriter w = new MetricsWriter(out)) {
            w.onDiagnostic(err);
        }
        assertEquals(List.of("diagnostic"), types(out.resolve("metrics.jsonl")));
        assertEquals(List.of(err), MetricsLog.read(out.resolve("metrics.jsonl")).diagnostics());
    }

    @Test
    void aTinyFitLogsEveryFindingItMadeAndItsReportShowsEachOnce(@TempDir Path out) throws Exception {
        List<TrainingDiagnostic> heard = new ArrayList<>();
        FinetuneResult r;
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            // the preflight reports its memory plan and the model size for 8 examples, before the first step
            r = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(3)
                    .maxSteps(3).seed(3).outputDir(out).listener(new TrainingListener() {
                        @Override
                        public void onDiagnostic(TrainingDiagnostic d) {
                            heard.add(d);
                        }
                    }).build().fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
        }
        assertEquals(List.of("MEMORY_PLAN", "MODEL_SIZE"), r.diagnostics().stream().map(TrainingDiagnostic::code)
                .toList());
        assertEquals(heard, r.diagnostics());
        TrainingHistory h = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertEquals(r.diagnostics(), h.diagnostics(), "metrics.jsonl holds exactly the run's findings");
        List<String> types = types(out.resolve("metrics.jsonl"));
        assertEquals("run_start", types.get(0));
        assertEquals(r.diagnostics().size(), types.stream().filter("diagnostic"::equals).count());
        String html = Files.readString(out.resolve(TrainingReport.FILE));
        int rows = 0;
        for (int i = html.indexOf("<tr><td class=\"sev-"); i >= 0; i = html.indexOf("<tr><td class=\"sev-", i + 1)) {
            rows++;
        }
        assertEquals(r.diagnostics().size(), rows, "report.html lists each finding once\n" + html);
        for (TrainingDiagnostic d : r.diagnostics()) {
            assertTrue(html.contains("<td>" + d.code() + "</td><td>" + (d.step() == 0 ? "preflight" : d.step())
                    + "</td>"), d.code() + " with its step in report.html");
        }
    }
}

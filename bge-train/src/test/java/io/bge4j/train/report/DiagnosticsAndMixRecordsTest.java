package io.bge4j.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.DataFormatException;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import io.bge4j.train.TrainingDiagnostic.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Diagnostic and data-mix lines of metrics.jsonl: written, read back equal, shown once in report.html. */
class DiagnosticsAndMixRecordsTest {

    static TrainingDiagnostic diag(Severity s, String code, long step) {
        return new TrainingDiagnostic(s, code, step, code.toLowerCase() + " found", "do something");
    }

    static MixReport mix() {
        Map<String, MixReport.SourceCount> sources = new LinkedHashMap<>();
        sources.put("real", new MixReport.SourceCount(300, 300, false));
        sources.put("synthetic-llm", new MixReport.SourceCount(500, 100, true));
        return new MixReport(sources, 300, 100, Map.of("synthetic", FilterReport.of(
                new FilterStep("length", 620, 500, 4, Map.of("query shorter than 2 units", 120)))));
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void diagnosticLinesReadBackEqualWhateverTheirText(@TempDir Path dir) throws IOException {
        List<TrainingDiagnostic> ds = List.of(
                new TrainingDiagnostic(Severity.INFO, "MEMORY_PLAN", 0, "plain: 1.2 GiB of 80 GiB", ""),
                new TrainingDiagnostic(Severity.WARNING, "LOSS_PLATEAU", 40, "loss \"flat\"\nfor 20 steps\t→ ±0.001",
                        "raise the learning rate {or} [the batch]"),
                new TrainingDiagnostic(Severity.ERROR, "NON_FINITE_LOSS", 41, "half a pair \uD83D and 😀 and \u0000", null));
        assertEquals("", ds.get(2).suggestion(), "a null suggestion is empty, as it reads back");
        Path f = dir.resolve("metrics.jsonl");
        List<String> lines = new ArrayList<>();
        lines.add(MetricsLog.line(new MetricsLog.RunStart(0, null, null)));
        ds.forEach(d -> lines.add(MetricsLog.line(d)));
        Files.write(f, lines, StandardCharsets.UTF_8);
        for (byte b : Files.readAllBytes(f)) {
            assertTrue(b >= 0, "the log is ASCII: non-ASCII text is escaped");
        }
        assertEquals(ds, MetricsLog.read(f).diagnostics());
        assertTrue(lines.get(2).startsWith("{\"type\":\"diagnostic\",\"severity\":\"WARNING\",\"code\":\"LOSS_PLATEAU\","
                + "\"step\":40,"), lines.get(2));
    }

    @Test
    void aRunStartDropsTheFindingsOfTheStepsItRepeats(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        TrainingDiagnostic pre1 = diag(Severity.INFO, "MEMORY_PLAN", 0);
        TrainingDiagnostic at2 = diag(Severity.WARNING, "A", 2);
        TrainingDiagnostic at4 = diag(Severity.WARNING, "B", 4);
        TrainingDiagnostic pre2 = new TrainingDiagnostic(Severity.INFO, "MEMORY_PLAN", 0, "second run", "");
        TrainingDiagnostic at5 = diag(Severity.ERROR, "C", 5);
        // run 1: steps 1..4 with findings at 0, 2, 4; resumed from step 3: its preflight finding, then step 4, 5
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(0, null, null)), MetricsLog.line(pre1),
                MetricsLog.line(TrainingReportTest.step(1, 4)), MetricsLog.line(TrainingReportTest.step(2, 3)),
                MetricsLog.line(at2), MetricsLog.line(TrainingReportTest.step(3, 2)),
                MetricsLog.line(TrainingReportTest.step(4, 1)), MetricsLog.line(at4),
                MetricsLog.line(new MetricsLog.RunStart(3, null, "checkpoints/step-00000003")), MetricsLog.line(pre2),
                MetricsLog.line(TrainingReportTest.step(4, 9)), MetricsLog.line(TrainingReportTest.step(5, 8)),
                MetricsLog.line(at5)));
        TrainingHistory h = MetricsLog.read(f);
        assertEquals(List.of(pre1, at2, pre2, at5), h.diagnostics(), "the finding at step 4 of run 1 is superseded");
        assertEquals(1, h.supersededRecords(), "step 4 (findings are dropped but not counted)");
        // a fresh run into the same log starts the findings over
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(0, null, null))), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        Files.write(f, List.of(MetricsLog.line(pre2)), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(pre2), MetricsLog.read(f).diagnostics());
    }

    @Test
    void theDataMixReadsBackAndAFreshRunForgetsIt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        String line = MetricsLog.dataMix(mix());
        assertTrue(line.startsWith("{\"type\":\"data_mix\",\"total\":400,\"real\":300,\"synthetic\":100,"), line);
        assertFalse(line.contains("\n"), "one line");
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(0, null, null)), line,
                MetricsLog.line(TrainingReportTest.step(1, 1))));
        TrainingHistory h = MetricsLog.read(f);
        assertEquals(mix(), h.dataMix());
        assertEquals(300, h.dataMix().real());
        assertEquals(100, h.dataMix().synthetic());
        assertEquals(new MixReport.SourceCount(500, 100, true), h.dataMix().sources().get("synthetic-llm"));
        assertEquals(0, h.ignoredLines());
        // resumed: the mix stays; fresh: a run on other data has none until its own line
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(1, null, "ckpt"))), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(mix(), MetricsLog.read(f).dataMix());
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(0, null, null))), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(null, MetricsLog.read(f).dataMix());
        // a broken mix line names file, line and field
        Files.write(f, List.of(MetricsLog.line(TrainingReportTest.step(1, 1)),
                "{\"type\":\"data_mix\",\"real\":3,\"synthetic\":1,\"sources\":{\"a\":{\"available\":-1}}}"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> MetricsLog.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("2"), e.getMessage());
        assertTrue(e.getMessage().contains("sources.a"), e.getMessage());
    }

    @Test
    void mergingFindingsNeverRepeatsOne() {
        TrainingDiagnostic a = diag(Severity.INFO, "A", 0);
        TrainingDiagnostic b = diag(Severity.WARNING, "B", 3);
        TrainingDiagnostic c = diag(Severity.WARNING, "C", 4);
        TrainingHistory logged = new TrainingHistory("run", List.of(), List.of(), List.of(a, b, a), List.of(), null,
                0, 0);
        assertEquals(List.of(a, b, a), logged.withDiagnostics(List.of(a, b, a)).diagnostics(),
                "what the log holds is not added again");
        assertEquals(List.of(a, b, a, c, b), logged.withDiagnostics(List.of(b, c, b)).diagnostics(),
                "one b was in the log, the second one was not");
        assertEquals(mix(), logged.withDataMix(mix()).withDiagnostics(List.of(c)).withStopReason("COMPLETED")
                .dataMix(), "the mix survives the copies");
    }

    @Test
    void theReportListsEachFindingOnceWithItsStepMarksTheWarningsAndShowsTheMix() {
        List<StepRecord> steps = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            steps.add(TrainingReportTest.step(i, 2.0 / i));
        }
        TrainingDiagnostic pre = diag(Severity.INFO, "MEMORY_PLAN", 0);
        TrainingDiagnostic info = diag(Severity.INFO, "NEGATIVES_REFRESHED", 10);
        TrainingDiagnostic warn = new TrainingDiagnostic(Severity.WARNING, "LOSS_PLATEAU", 12, "flat <loss>", "");
        TrainingDiagnostic err = diag(Severity.ERROR, "NON_FINITE_LOSS", 20);
        TrainingHistory h = new TrainingHistory("run", steps, List.of(), List.of(pre, info, warn, err), List.of(),
                "COMPLETED", 0, 0, mix());
        String html = TrainingReport.render(h.withDiagnostics(List.of(pre, info, warn, err)));
        assertEquals(4, count(html, "<tr><td class=\"sev-"), "each finding once in the table");
        assertTrue(html.contains("<td>MEMORY_PLAN</td><td>preflight</td>"), "a preflight finding says so");
        assertTrue(html.contains("<td>LOSS_PLATEAU</td><td>12</td><td class=\"text\">flat &lt;loss&gt;</td>"), html);
        assertTrue(html.contains("<td>NON_FINITE_LOSS</td><td>20</td>"));
        assertEquals(2, count(html, "<g class=\"event\">"), "the warning and the error are marked, the INFO ones not");
        assertTrue(html.contains("<title>WARNING LOSS_PLATEAU at step 12: flat &lt;loss&gt;</title>"), html);
        assertTrue(html.contains("(2 findings; hover a mark for its text)"));
        assertTrue(html.contains("<th>Diagnostics</th><td>4 (2 warnings or errors)</td>"));
        assertTrue(html.contains("<th>Training data</th><td>400 examples mixed: 300 real, 100 synthetic (25.0 %"
                + " synthetic)</td>"), html);
        assertTrue(html.contains("<h2>Training data mix</h2>\n<p>400 examples: 300 real, 100 synthetic"), html);
        assertTrue(html.contains("<tr><td>synthetic-llm</td><td>synthetic</td><td>500</td><td>100</td></tr>"), html);
        assertTrue(html.contains("<h3>Filters: synthetic</h3>"));

        String plain = TrainingReport.render(new TrainingHistory("run", steps, List.of(), List.of(pre), List.of(),
                null, 0, 0));
        assertFalse(plain.contains("Training data mix"), "no mix, no section");
        assertFalse(plain.contains("<g class=\"event\">"));
        assertFalse(plain.contains("hover a mark"));
    }
}

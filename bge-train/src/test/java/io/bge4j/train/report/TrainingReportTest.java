package io.bge4j.train.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.DataFormatException;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {

    // ------------------------------------------------------------------ chart arithmetic

    @Test
    void niceTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, ChartAxis.niceTicks(0, 0.93, 5), 1e-12);
        assertArrayEquals(new double[] {0, 10, 20, 30, 40, 50}, ChartAxis.niceTicks(1, 42, 6), 1e-12);
        assertArrayEquals(new double[] {0, 1e-5, 2e-5, 3e-5}, ChartAxis.niceTicks(0, 3e-5, 5), 1e-18);
    }

    @Test
    void smoothingIsADebiasedMovingAverage() {
        // w = 0.5: m1 = 0.5·1 = 0.5, /(1-0.5) = 1; m2 = 0.5·0.5 + 0.5·3 = 1.75, /(1-0.25) = 2.3333
        assertArrayEquals(new double[] {1, 1.75 / 0.75}, LineChart.smooth(new double[] {1, 3}, 0.5), 1e-12);
        double[] withGap = LineChart.smooth(new double[] {1, Double.NaN, 3}, 0.5);
        assertTrue(Double.isNaN(withGap[1]));
        assertEquals(1.75 / 0.75, withGap[2], 1e-12, "a NaN does not enter the average");
    }

    @Test
    void shortRunsAreSmoothedLess() {
        assertEquals(0.6, TrainingReport.smoothingWeight(10), 1e-12);
        assertEquals(0.75, TrainingReport.smoothingWeight(40), 1e-12);
        assertEquals(0.95, TrainingReport.smoothingWeight(3000), 1e-12);
    }

    @Test
    void thinningKeepsSpikesAndOrder() {
        int n = 10_000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            y[i] = 1.0;
        }
        y[5_001] = 9.0;
        double[][] d = LineChart.decimate(x, y, 2000);
        assertTrue(d[0].length <= 2000, "points " + d[0].length);
        boolean spike = false;
        for (int i = 0; i < d[0].length; i++) {
            spike |= d[1][i] == 9.0;
            if (i > 0) {
                assertTrue(d[0][i] > d[0][i - 1], "x order");
            }
        }
        assertTrue(spike, "the spike survives");
    }

    @Test
    void pointsLandWhereTheAxesSay() {
        String svg = new LineChart("t").add(new LineChart.Series("s", "#000", new double[] {0, 10},
                new double[] {0, 1}, false, false, 1)).render(490, 250);
        // plot area: x 64..476 (490 - 64 - 14), y 216..40 (250 - 34 at the bottom, 40 at the top); y ticks 0..1
        assertTrue(svg.contains("points=\"64.0,216.0 476.0,40.0\""), svg);
        assertTrue(svg.contains(">0.2</text>") && svg.contains(">1.0</text>"), svg);
    }

    // ------------------------------------------------------------------ metrics.jsonl

    static StepRecord step(long s, double loss) {
        return new StepRecord(s, 0, loss, loss, 0, 1e-4, 0.5, 100, 1000);
    }

    static EvaluationRecord eval(long s, double v, boolean best) {
        return new EvaluationRecord(s, "ndcg@10", v, Map.of("ndcg@10", v, "recall@10", v / 2), best);
    }

    @Test
    void everyRecordTypeRoundTrips(@TempDir Path dir) throws IOException {
        StepRecord s = new StepRecord(3, 1, 1.25, 1.0, 0.25, 2.5e-5, 0.75, 12.5, 300.0);
        EvaluationRecord e = new EvaluationRecord(3, "ndcg@10", 0.5, Map.of("ndcg@10", 0.5), true);
        TrainingDiagnostic d = new TrainingDiagnostic(TrainingDiagnostic.Severity.WARNING, "PLATEAU", 3, "flat", "raise lr");
        Path f = dir.resolve("metrics.jsonl");
        Files.write(f, List.of(MetricsLog.line(new MetricsLog.RunStart(0, "2026-12-02T06:00:00Z", null)),
                MetricsLog.line(s), MetricsLog.line(e), MetricsLog.line(d), MetricsLog.runEnd(3, "COMPLETED"),
                "{\"type\":\"from_the_future\",\"x\":1}"));
        TrainingHistory h = MetricsLog.read(f);
        assertEquals(List.of(s), h.steps());
        assertEquals(List.of(e), h.evaluations());
        assertEquals(List.of(d), h.diagnostics());
        assertEquals(List.of(new MetricsLog.RunStart(0, "2026-12-02T06:00:00Z", null)), h.runStarts());
        assertEquals("COMPLETED", h.stopReason());
        assertEquals(1, h.ignoredLines());
        assertEquals(dir.getFileName().toString(), h.name());
    }

    @Test
    void aResumedRunReplacesTheStepsItRepeats(@TempDir Path dir) throws IOException {
        // run 1: steps 1..5, evaluation after 4; killed; resumed from the checkpoint at step 3: steps 4..6
        List<String> run1 = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            run1.add(MetricsLog.line(step(i, 10 - i)));
            if (i == 4) {
                run1.add(MetricsLog.line(eval(4, 0.4, true)));
            }
        }
        List<String> run2 = new ArrayList<>();
        for (int i = 4; i <= 6; i++) {
            run2.add(MetricsLog.line(step(i, 100 + i)));
        }
        // today's log: no run-start line, the repeated step number says it
        Path today = dir.resolve("a.jsonl");
        List<String> all = new ArrayList<>(run1);
        all.addAll(run2);
        Files.write(today, all);
        TrainingHistory h = MetricsLog.read(today);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), h.steps().stream().map(StepRecord::step).toList());
        assertEquals(List.of(9.0, 8.0, 7.0, 104.0, 105.0, 106.0), h.steps().stream().map(StepRecord::loss).toList());
        assertTrue(h.evaluations().isEmpty(), "the evaluation after the repeated step 4 is superseded");
        assertEquals(3, h.supersededRecords(), "steps 4 and 5 and one evaluation");
        // with a run-start line: the same outcome
        Path withStart = dir.resolve("b.jsonl");
        all = new ArrayList<>(run1);
        all.add(MetricsLog.line(new MetricsLog.RunStart(3, null, "checkpoints/step-00000003")));
        all.addAll(run2);
        Files.write(withStart, all);
        TrainingHistory h2 = MetricsLog.read(withStart);
        assertEquals(h.steps(), h2.steps());
        assertEquals(3, h2.supersededRecords());
        // a fresh run (start 0) into the same log replaces everything, the base evaluation included
        Path fresh = dir.resolve("c.jsonl");
        Files.write(fresh, List.of(MetricsLog.line(eval(0, 0.1, true)), MetricsLog.line(step(1, 5)),
                MetricsLog.line(new MetricsLog.RunStart(0, null, null)), MetricsLog.line(eval(0, 0.2, true)),
                MetricsLog.line(step(1, 6))));
        TrainingHistory h3 = MetricsLog.read(fresh);
        assertEquals(List.of(eval(0, 0.2, true)), h3.evaluations());
        assertEquals(List.of(step(1, 6)), h3.steps());
    }

    @Test
    void aBadLineNamesFileLineAndField(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        Files.write(f, List.of(MetricsLog.line(step(1, 2)), "{\"type\":\"step\",\"step\":2,\"epoch\":0}"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> MetricsLog.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        assertTrue(e.getMessage().contains("loss"), e.getMessage());
        Files.write(f, List.of("not json"));
        assertThrows(DataFormatException.class, () -> MetricsLog.read(f));
    }

    // ------------------------------------------------------------------ fixtures of the real tiny run (RunArtifactsTest)

    static final String[][] PAIRS = {
        {"install web server", "nginx is a fast http server and reverse proxy"},
        {"edit text files", "vim is a highly configurable text editor"},
        {"compress archives", "gzip reduces the size of files with lempel ziv coding"},
        {"manage packages", "apt downloads and installs debian packages"},
        {"play music", "a lightweight audio player for mp3 and ogg"},
        {"browse the internet", "a graphical web browser with tabs"},
        {"check spelling", "a spell checker with dictionaries for many languages"},
        {"draw diagrams", "vector drawing program for flowcharts and diagrams"},
    };
    static final String[][] NEGATIVES = {
        {"fonts for chinese characters", "a clock for the desktop panel"},
        {"firmware for wireless cards", "a calculator with units"},
        {"bindings for the gtk toolkit", "a game of chess against the computer"},
        {"documentation of the c library", "themes for the window manager"},
        {"a daemon that syncs the clock", "icons in scalable vector format"},
        {"a tool to partition disks", "a library for regular expressions"},
        {"a mail transfer agent", "a screen reader for blind users"},
        {"a backup program with deduplication", "a terminal multiplexer"},
    };
    /** Dev queries (paraphrases) and dev-only distractors: nothing used in training doubles as a distractor. */
    static final String[] DEV_QUERIES = {"http server", "text editor", "file compression", "debian package tool",
        "audio player", "web browser", "spell checker", "drawing program"};
    static final String[] DEV_DISTRACTORS = {"a music notation editor", "a server for network time",
        "a browser for files on disk", "a checker for broken links"};

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

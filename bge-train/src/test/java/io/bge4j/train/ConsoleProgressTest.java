package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private static StepRecord step(long n, double loss, double lr, double examplesPerSecond) {
        return new StepRecord(n, 0, loss, loss, 0, lr, 1.0, examplesPerSecond, 100);
    }

    private static FinetuneResult result(long steps, FinetuneResult.StopReason reason, List<EvaluationRecord> evals) {
        return new FinetuneResult(null, null, List.of(), evals, List.of(), reason, steps, Optional.empty());
    }

    @Test
    void linesShowBarStepEtaSmoothedLossLrAndSpeed() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).barWidth(10).smoothing(0.5)
                .linesPerRun(10).clock(now::get).build();
        p.onStart(new TrainingPlan(40, 4, 8, 1, 10, 10, 0));
        now.addAndGet(2 * SECOND);
        p.onStep(step(1, 2.0, 1e-4, 10));
        now.addAndGet(2 * SECOND);
        p.onStep(step(2, 1.0, 2e-4, 20));
        now.addAndGet(2 * SECOND);
        p.onStep(step(3, 1.0, 3e-4, 20));
        String[] lines = sink.toString().split("\n");
        assertEquals("training on 40 examples: batch 4 x group 8, 10 steps per epoch, 10 steps", lines[0]);
        // loss EMA with beta 0.5 and bias correction: 2.0, then (0.5*1 + 0.5*1) / 0.75 = 1.3333,
        // then (0.5*1.0 + 0.5*1) / 0.875 = 1.1429 (the running sum is 1.0 after two steps with value 1)
        assertEquals("[#---------]  1/10  10%  ETA 18s  loss 2.0000  lr 1.00e-04  10.0 ex/s  100 tok/s", lines[1]);
        assertEquals("[##--------]  2/10  20%  ETA 16s  loss 1.3333  lr 2.00e-04  16.7 ex/s  100 tok/s", lines[2]);
        assertEquals("[###-------]  3/10  30%  ETA 14s  loss 1.1429  lr 3.00e-04  18.6 ex/s  100 tok/s", lines[3]);
    }

    @Test
    void nonInteractiveRunsPrintAboutLinesPerRunAndAlwaysTheLastStep() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).linesPerRun(4).clock(now::get).build();
        p.onStart(new TrainingPlan(100, 4, 8, 1, 25, 25, 0));
        for (int s = 1; s <= 25; s++) {
            now.addAndGet(SECOND);
            p.onStep(step(s, 1.0, 1e-5, 4));
        }
        p.onEnd(result(25, FinetuneResult.StopReason.COMPLETED, List.of()));
        List<String> bars = sink.toString().lines().filter(l -> l.startsWith("[")).toList();
        // every 25 / 4 = 6 steps, plus the first and the last
        assertEquals(List.of(" 1/25", " 6/25", "12/25", "18/25", "24/25", "25/25"),
                bars.stream().map(l -> l.substring(l.indexOf(']') + 2, l.indexOf(']') + 7)).toList());
        assertTrue(bars.get(bars.size() - 1).contains("100%  ETA 0s"), bars.toString());
        assertTrue(sink.toString().endsWith("finished after 25 steps in 25s (completed)\n"), sink.toString());
    }

    @Test
    void evaluationsAndDiagnosticsArePrintedAsTheyArrive() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).clock(now::get).build();
        p.onDiagnostic(new TrainingDiagnostic(TrainingDiagnostic.Severity.WARNING, "NO_NEGATIVES", 0,
                "3 of 8 examples have no negatives", "mine hard negatives first"));
        p.onStart(new TrainingPlan(8, 4, 2, 1, 2, 4, 0));
        EvaluationRecord base = new EvaluationRecord(0, "ndcg@10", 0.25, Map.of(), true);
        p.onEvaluation(base);
        now.addAndGet(3 * SECOND);
        p.onStep(step(1, 0.7, 1e-5, 8));
        p.onDiagnostic(new TrainingDiagnostic(TrainingDiagnostic.Severity.INFO, "LOSS_PLATEAU", 1, "flat", ""));
        EvaluationRecord second = new EvaluationRecord(2, "ndcg@10", 0.5, Map.of(), true);
        p.onEvaluation(second);
        p.onEnd(result(2, FinetuneResult.StopReason.EARLY_STOPPED, List.of(base, second)));
        List<String> lines = sink.toString().lines().toList();
        assertEquals("warning NO_NEGATIVES: 3 of 8 examples have no negatives", lines.get(0));
        assertEquals("  suggestion: mine hard negatives first", lines.get(1));
        assertEquals("eval before training: ndcg@10 = 0.2500 (best so far)", lines.get(3));
        assertTrue(lines.get(4).startsWith("[#######-----------------------] 1/4  25%  ETA 9s  loss 0.7000"),
                lines.get(4));
        assertEquals("info LOSS_PLATEAU (step 1): flat", lines.get(5));
        assertEquals("eval at step 2: ndcg@10 = 0.5000 (best so far)", lines.get(6));
        // step 1 was already printed, so the summary follows directly
        assertEquals("finished after 2 steps in 3s (stopped early); best ndcg@10 = 0.5000 at step 2",
                lines.get(lines.size() - 1));
    }

    @Test
    void interactiveModeRedrawsInPlace() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).interactive(true).barWidth(5)
                .clock(now::get).build();
        p.onStart(new TrainingPlan(8, 4, 2, 1, 2, 2, 0));
        now.addAndGet(SECOND);
        p.onStep(step(1, 1.0, 1e-5, 8));
        p.onDiagnostic(new TrainingDiagnostic(TrainingDiagnostic.Severity.WARNING, "X", 1, "m", ""));
        now.addAndGet(SECOND);
        p.onStep(step(2, 1.0, 1e-5, 8));
        p.onEnd(result(2, FinetuneResult.StopReason.COMPLETED, List.of()));
        String s = sink.toString();
        String bar1 = "[##---] 1/2  50%  ETA 1s  loss 1.0000  lr 1.00e-05  8.0 ex/s  100 tok/s";
        assertTrue(s.contains("\r" + bar1 + "\r" + " ".repeat(bar1.length()) + "\rwarning X (step 1): m\n" + bar1
                + "\r[#####] 2/2 100%  ETA 0s"), s.replace("\r", "<CR>"));
        assertTrue(s.endsWith("8.0 ex/s  100 tok/s\nfinished after 2 steps in 2s (completed)\n"), s.replace("\r", "<CR>"));
        assertFalse(s.contains("ex/s\n\n"));
    }

    @Test
    void helpers() {
        assertEquals("[#####-----]", ProgressText.bar(0.55, 10));
        assertEquals("[----------]", ProgressText.bar(Double.NaN, 10));
        assertEquals("[##########]", ProgressText.bar(1.7, 10));
        assertEquals("59s", ProgressText.duration(59.4));
        assertEquals("1m00s", ProgressText.duration(59.6));
        assertEquals("3m07s", ProgressText.duration(187));
        assertEquals("2h05m", ProgressText.duration(2 * 3600 + 5 * 60 + 59));
        assertEquals("?", ProgressText.duration(Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsoleProgress.builder(new PrintWriter(new StringWriter())).smoothing(1.0).build());
        assertEquals("smoothing must be in [0, 1), was 1.0", e.getMessage());
    }

    private static StepRecord measured(long n, double examplesPerSecond, double tokensPerSecond, double padding) {
        return new StepRecord(n, 0, 1.0, 1.0, 0, 1e-5, 1.0, examplesPerSecond, tokensPerSecond, 0L, padding);
    }

    @Test
    void etaIsTheSettledAverageStepTimePlusMeasuredEvaluationsNotElapsedOverSteps() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).barWidth(5).smoothing(0).clock(now::get)
                .build();
        p.onStart(new TrainingPlan(40, 4, 8, 1, 10, 10, 0));
        long[] stepSeconds = {10, 6, 2, 2};
        for (int i = 0; i < stepSeconds.length; i++) {
            now.addAndGet(stepSeconds[i] * SECOND);
            p.onStep(measured(i + 1, 4.0 / stepSeconds[i], 500, 0.8));
            if (i == 1) { // an evaluation after step 2 takes 5 s
                now.addAndGet(5 * SECOND);
                p.onEvaluation(new EvaluationRecord(2, "ndcg@10", 0.5, Map.of("ndcg@10", 0.5), true));
            }
        }
        List<String> bars = sink.toString().lines().filter(l -> l.startsWith("[")).toList();
        // warm-up: step 1, 10 s x 9 left = 90 s; step 2, mean 8 s x 8 left = 64 s (no evaluation measured yet)
        assertTrue(bars.get(0).contains("ETA 1m30s"), bars.get(0));
        assertTrue(bars.get(1).contains("ETA 1m04s"), bars.get(1));
        // step 3: first settled step, 2 s x 7 left + 4 evaluations (at 4, 6, 8, 10: every 2 steps, learned from
        // the one at step 2) x its measured 5 s = 34 s
        assertTrue(bars.get(2).contains("ETA 34s"), bars.get(2));
        // step 4: 2 s x 6 left + 3 evaluations x 5 s = 27 s (elapsed / steps x left would say 25 / 4 x 6 = 38 s)
        assertEquals("[##---]  4/10  40%  ETA 27s  loss 1.0000  lr 1.00e-05  2.0 ex/s  500 tok/s  pad eff 80%",
                bars.get(3));
    }

    @Test
    void warnsOnceWhenTheMeasuredRateMeansARunOfMoreThanAnHourAndNamesWhatShortensIt() {
        StringWriter sink = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        ConsoleProgress p = ConsoleProgress.builder(new PrintWriter(sink)).linesPerRun(1000).tokenLengths(64, 256)
                .clock(now::get).build();
        p.onStart(new TrainingPlan(4000, 4, 8, 1, 1000, 3000, 0));
        for (int s = 1; s <= 5; s++) {
            now.addAndGet(2 * SECOND);
            p.onStep(measured(s, 2.0, 100, 0.5));
        }
        List<String> warnings = sink.toString().lines().filter(l -> l.startsWith("warning")).toList();
        // settled after the 2 warm-up steps: 3000 steps x 2 s = 6000 s; passage 256 -> 128 or group 8 -> 4 keep
        // (64 + 8 x 128) / (64 + 8 x 256) = 1088 / 2112 of it (3091 s); one epoch of three keeps a third
        assertEquals(List.of("warning LONG_RUN (step 3): at the measured 2.0 s per step this run takes about 1h 40m"
                + " (3000 steps); to shorten it: passage length 256 -> 128 (about 51m 31s); group size 8 -> 4 (about"
                + " 51m 31s); epochs 3 -> 1 (about 33m 20s); only 50% of processed tokens are real: length-bucketed"
                + " batches or length-aware chunks pad less"), warnings);
    }
}

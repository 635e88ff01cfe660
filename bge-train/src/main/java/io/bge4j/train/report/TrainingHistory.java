package io.bge4j.train.report;

import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training run recorded, as typed records: every optimizer step, every evaluation, the
 * diagnostics, the run starts (a resumed run appends a second one) and the stop reason when known.
 * Read from {@code metrics.jsonl} ({@link MetricsLog#read}) or taken from a {@link FinetuneResult}.
 *
 * <p>Usage: {@code TrainingReport.write(dir.resolve("report.html"), TrainingHistory.read(dir.resolve("metrics.jsonl")));}
 *
 * @param name a label for the report (e.g. the output directory's name)
 * @param steps steps in step order, each step once
 * @param evaluations evaluations in step order
 * @param diagnostics findings, in the order they were made
 * @param runStarts run-start records, in file order (empty for logs written before they existed)
 * @param stopReason why the run ended, or null when the log does not say
 * @param supersededRecords step and evaluation records dropped because a later (resumed) run repeated their steps
 * @param ignoredLines lines of an unknown type (written by a newer bge4j), skipped
 */
public record TrainingHistory(String name, List<StepRecord> steps, List<EvaluationRecord> evaluations,
        List<TrainingDiagnostic> diagnostics, List<MetricsLog.RunStart> runStarts, String stopReason,
        int supersededRecords, int ignoredLines) {

    /** Copies the lists. */
    public TrainingHistory {
        Objects.requireNonNull(name, "name");
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
        diagnostics = List.copyOf(diagnostics);
        runStarts = List.copyOf(runStarts);
    }

    /**
     * @param name a label
     * @param r a fine-tune's result
     * @return its steps, evaluations, diagnostics and stop reason
     */
    public static TrainingHistory of(String name, FinetuneResult r) {
        return new TrainingHistory(name, r.steps(), r.evaluations(), r.diagnostics(), List.of(),
                r.stopReason().name(), 0, 0);
    }

    /**
     * @param metricsJsonl a {@code metrics.jsonl} written by the trainer
     * @return its records; the name is the parent directory's name
     */
    public static TrainingHistory read(Path metricsJsonl) {
        return MetricsLog.read(metricsJsonl);
    }

    /** @return the best evaluation (the last one flagged best), if any */
    public Optional<EvaluationRecord> best() {
        return evaluations.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b);
    }

    /**
     * @param diagnostics more findings (e.g. the preflight's, which the log does not hold)
     * @return a copy with them appended
     */
    public TrainingHistory withDiagnostics(List<TrainingDiagnostic> diagnostics) {
        List<TrainingDiagnostic> all = new java.util.ArrayList<>(this.diagnostics);
        all.addAll(diagnostics);
        return new TrainingHistory(name, steps, evaluations, all, runStarts, stopReason, supersededRecords,
                ignoredLines);
    }

    /**
     * @param reason why the run ended
     * @return a copy with it
     */
    public TrainingHistory withStopReason(String reason) {
        return new TrainingHistory(name, steps, evaluations, diagnostics, runStarts, reason, supersededRecords,
                ignoredLines);
    }
}

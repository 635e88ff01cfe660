package io.bge4j.train.report;

import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training run recorded, as typed records: every optimizer step, every evaluation, the
 * diagnostics, the run starts (a resumed run appends a second one), the stop reason when known, and how
 * the training data was mixed when its set carried a {@link MixReport}.
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
 * @param supersededRecords step and evaluation records dropped because a later (resumed or fresh) run repeated
 *     their steps (the findings of those steps are dropped too, and not counted)
 * @param ignoredLines lines of an unknown type (written by a newer bge4j), skipped
 * @param dataMix how real and synthetic examples were mixed into the training set, or null when the set carried no
 *     mix report
 */
public record TrainingHistory(String name, List<StepRecord> steps, List<EvaluationRecord> evaluations,
        List<TrainingDiagnostic> diagnostics, List<MetricsLog.RunStart> runStarts, String stopReason,
        int supersededRecords, int ignoredLines, MixReport dataMix) {

    /** Copies the lists. */
    public TrainingHistory {
        Objects.requireNonNull(name, "name");
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
        diagnostics = List.copyOf(diagnostics);
        runStarts = List.copyOf(runStarts);
    }

    /**
     * A history without a data mix.
     *
     * @param name see the record
     * @param steps see the record
     * @param evaluations see the record
     * @param diagnostics see the record
     * @param runStarts see the record
     * @param stopReason see the record
     * @param supersededRecords see the record
     * @param ignoredLines see the record
     */
    public TrainingHistory(String name, List<StepRecord> steps, List<EvaluationRecord> evaluations,
            List<TrainingDiagnostic> diagnostics, List<MetricsLog.RunStart> runStarts, String stopReason,
            int supersededRecords, int ignoredLines) {
        this(name, steps, evaluations, diagnostics, runStarts, stopReason, supersededRecords, ignoredLines, null);
    }

    /**
     * @param name a label
     * @param r a fine-tune's result
     * @return its steps, evaluations, diagnostics and stop reason
     */
    public static TrainingHistory of(String name, FinetuneResult r) {
        return new TrainingHistory(name, r.steps(), r.evaluations(), r.diagnostics(), List.of(),
                r.stopReason().name(), 0, 0, null);
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

    /** @return {@link #dataMix()}, if the training set carried one */
    public Optional<MixReport> optionalDataMix() {
        return Optional.ofNullable(dataMix);
    }

    /**
     * Merges findings into the history without repeating one: each given finding that equals one already here (and
     * not yet matched by an earlier given one) is skipped, the others are appended in order. The trainer writes
     * every finding to {@code metrics.jsonl}, so {@code read(file).withDiagnostics(result.diagnostics())} is the
     * log's list; findings from elsewhere (a log written before diagnostics were recorded) are added.
     *
     * @param diagnostics findings to merge in
     * @return a copy holding each finding once
     */
    public TrainingHistory withDiagnostics(List<TrainingDiagnostic> diagnostics) {
        List<TrainingDiagnostic> unmatched = new ArrayList<>(this.diagnostics);
        List<TrainingDiagnostic> all = new ArrayList<>(this.diagnostics);
        for (TrainingDiagnostic d : diagnostics) {
            if (!unmatched.remove(d)) {
                all.add(d);
            }
        }
        return new TrainingHistory(name, steps, evaluations, all, runStarts, stopReason, supersededRecords,
                ignoredLines, dataMix);
    }

    /**
     * @param mix how the training set was mixed (null for none)
     * @return a copy with it
     */
    public TrainingHistory withDataMix(MixReport mix) {
        return new TrainingHistory(name, steps, evaluations, diagnostics, runStarts, stopReason, supersededRecords,
                ignoredLines, mix);
    }

    /**
     * @param reason why the run ended
     * @return a copy with it
     */
    public TrainingHistory withStopReason(String reason) {
        return new TrainingHistory(name, steps, evaluations, diagnostics, runStarts, reason, supersededRecords,
                ignoredLines, dataMix);
    }
}

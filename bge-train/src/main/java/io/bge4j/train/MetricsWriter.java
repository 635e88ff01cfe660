package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.report.MetricsLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The listener behind {@code outputDir/metrics.jsonl}: appends a run-start line, the preflight's memory plan, the
 * training set's data mix (when it carries one), one line per step, per evaluation and per diagnostic, and a
 * run-end line. The lines themselves come from {@link MetricsLog}, the one place that knows the format (and reads
 * it back).
 *
 * <p>Findings made before the run-start line (the preflight's) are held and written right after it, so they belong
 * to this run when the log is read back (a {@code run_start} drops the earlier findings it supersedes). When the run
 * never starts (preflight failed), {@link #close()} writes them anyway: the log then says why.
 */
final class MetricsWriter implements TrainingListener, AutoCloseable {

    private final Path file;
    private final BufferedWriter out;
    private final MixReport mix;
    private MemoryPlan pendingPlan;
    private final List<TrainingDiagnostic> pendingDiagnostics = new ArrayList<>();
    private boolean started;

    MetricsWriter(Path outputDir) {
        this(outputDir, Optional.empty());
    }

    /**
     * @param outputDir the run's output directory
     * @param mix the training set's data mix ({@code TrainingSet.mix()}), written after each run-start line
     */
    MetricsWriter(Path outputDir, Optional<MixReport> mix) {
        this.mix = mix.orElse(null);
        this.file = outputDir.resolve("metrics.jsonl");
        try {
            Files.createDirectories(outputDir);
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new Bge4jException("cannot write training output to " + outputDir + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    void runStart(MetricsLog.RunStart r) {
        write(MetricsLog.line(r));
        started = true;
        if (pendingPlan != null) {
            write(MetricsLog.memoryPlan(pendingPlan.provenance()));
            pendingPlan = null;
        }
        if (mix != null) {
            write(MetricsLog.dataMix(mix));
        }
        flushDiagnostics();
    }

    /**
     * The preflight's memory plan, written ({@code type: memory_plan}, {@link MemoryPlan#provenance()}) right
     * after the run's {@code run_start} line.
     */
    void memoryPlan(MemoryPlan plan) {
        this.pendingPlan = plan;
    }

    void runEnd(long step, FinetuneResult.StopReason reason) {
        write(MetricsLog.runEnd(step, reason.name()));
    }

    @Override
    public void onStep(StepRecord r) {
        write(MetricsLog.line(r));
    }

    @Override
    public void onEvaluation(EvaluationRecord r) {
        write(MetricsLog.line(r));
    }

    @Override
    public void onDiagnostic(TrainingDiagnostic d) {
        if (started) {
            write(MetricsLog.line(d));
        } else {
            pendingDiagnostics.add(d);
        }
    }

    private void flushDiagnostics() {
        for (TrainingDiagnostic d : pendingDiagnostics) {
            write(MetricsLog.line(d));
        }
        pendingDiagnostics.clear();
    }

    private void write(String line) {
        try {
            out.write(line);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new Bge4jException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            flushDiagnostics(); // a run that never started (preflight failed) still leaves its findings
        } catch (Bge4jException e) {
            // the file cannot be written; the findings are in the exception the run ends with and in the log
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // every line was flushed when written
        }
    }
}

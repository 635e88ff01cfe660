package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.report.MetricsLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The listener behind {@code outputDir/metrics.jsonl}: appends a run-start line, one line per step and per
 * evaluation, the preflight's memory plan, and a run-end line. The lines themselves come from {@link MetricsLog}, the one place that
 * knows the format (and reads it back).
 */
final class MetricsWriter implements TrainingListener, AutoCloseable {

    private final Path file;
    private final BufferedWriter out;
    private MemoryPlan pendingPlan;

    MetricsWriter(Path outputDir) {
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
        if (pendingPlan != null) {
            write(MetricsLog.memoryPlan(pendingPlan.provenance()));
            pendingPlan = null;
        }
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
            out.close();
        } catch (IOException ignored) {
            // every line was flushed when written
        }
    }
}

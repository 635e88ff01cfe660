package io.bge4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.Bge4jException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The listener behind {@code outputDir/metrics.jsonl}: one JSON line per step and per evaluation, appended. */
final class MetricsLog implements TrainingListener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    MetricsLog(Path outputDir) {
        this.file = outputDir.resolve("metrics.jsonl");
        try {
            Files.createDirectories(outputDir);
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new Bge4jException("cannot write training output to " + outputDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(StepRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "step").put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss())
                .put("contrastive_loss", r.contrastiveLoss()).put("distillation_loss", r.distillationLoss())
                .put("lr", r.learningRate()).put("grad_norm", r.gradNorm())
                .put("examples_per_s", r.examplesPerSecond()).put("tokens_per_s", r.tokensPerSecond());
        write(j);
    }

    @Override
    public void onEvaluation(EvaluationRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "eval").put("step", r.step()).put("primary", r.primaryMetric()).put("value", r.primaryValue())
                .put("best", r.isBest());
        r.metrics().forEach(j.putObject("metrics")::put);
        write(j);
    }

    private void write(ObjectNode line) {
        try {
            out.write(line.toString());
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

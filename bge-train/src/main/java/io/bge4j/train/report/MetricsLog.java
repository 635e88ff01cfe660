package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.DataFormatException;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code metrics.jsonl} format, both ways (written here, parsed back by {@link #read}): one JSON object
 * per line with a {@code "type"}:
 * <ul>
 *   <li>{@code step}: {@code step, epoch, loss, contrastive_loss, distillation_loss, lr, grad_norm,
 *       examples_per_s, tokens_per_s, masked_candidates, padding_efficiency} ({@link StepRecord});
 *   <li>{@code eval}: {@code step, primary, value, best, metrics} (metric key → mean) ({@link EvaluationRecord});
 *   <li>{@code diagnostic}: {@code severity, code, step, message, suggestion} ({@link TrainingDiagnostic}), one
 *       per finding of the run (preflight findings have step 0);
 *   <li>{@code data_mix}: how real and synthetic data were mixed into the training set ({@link MixReport#toJson()}'s
 *       keys: {@code total, real, synthetic, synthetic_share, sources, filters}), when the set carries one;
 *   <li>{@code run_start}: {@code start_step, time, resumed_from} ({@link RunStart});
 *   <li>{@code run_end}: {@code step, stop_reason};
 *   <li>{@code memory_plan}: the preflight's memory plan (decision, GradCache chunk, estimate terms, budget), read
 *       past.
 * </ul>
 * The trainer writes every type with these methods. Every non-ASCII character is written as a JSON unicode
 * escape (backslash, {@code u}, four hex digits), so any message (even one holding half of a surrogate pair) reads back exactly and the
 * file is plain ASCII. Lines of another type are skipped and counted; a line that is not a JSON object, or lacks a
 * field its type needs, fails with the file, the line number and the field.
 *
 * <p>Appended runs: a resumed run repeats the steps after its checkpoint. When a {@code run_start} says it
 * starts at step N, or a {@code step} line has a step not after the previous one, the earlier records of
 * those steps are dropped (later lines win) and counted in {@link TrainingHistory#supersededRecords()}. A
 * {@code run_start} at N also drops the earlier diagnostics of steps after N (all of them, and the data mix, when
 * N is 0: a fresh run replaces the log's history); its own findings follow it. Dropped findings are not counted as superseded.
 *
 * <p>Usage: {@code writer.write(MetricsLog.line(step)); ... TrainingHistory h = MetricsLog.read(file);}
 */
public final class MetricsLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter LINE = JSON.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    private MetricsLog() {}

    /**
     * The start of one run in the log.
     *
     * <p>Usage: {@code MetricsLog.line(new MetricsLog.RunStart(0, Instant.now().toString(), null))}
     *
     * @param startStep the step the run started after (0 for a fresh run, N when resumed from step N)
     * @param time ISO-8601 time, or null
     * @param resumedFrom the checkpoint it resumed from, or null
     */
    public record RunStart(long startStep, String time, String resumedFrom) {}

    /** @param r a step @return its line (no newline) */
    public static String line(StepRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "step").put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss())
                .put("contrastive_loss", r.contrastiveLoss()).put("distillation_loss", r.distillationLoss())
                .put("lr", r.learningRate()).put("grad_norm", r.gradNorm())
                .put("examples_per_s", r.examplesPerSecond()).put("tokens_per_s", r.tokensPerSecond())
                .put("masked_candidates", r.maskedCandidates());
        if (Double.isFinite(r.paddingEfficiency())) {
            j.put("padding_efficiency", r.paddingEfficiency());
        }
        return text(j);
    }

    /**
     * @param plan the memory plan's flat key/value pairs ({@code MemoryPlan.provenance()})
     * @return its line, {@code type: memory_plan}
     */
    public static String memoryPlan(Map<String, Object> plan) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "memory_plan");
        plan.forEach((k, v) -> j.set(k, JSON.valueToTree(v)));
        return text(j);
    }

    /** @param r an evaluation @return its line */
    public static String line(EvaluationRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "eval").put("step", r.step()).put("primary", r.primaryMetric()).put("value", r.primaryValue())
                .put("best", r.isBest());
        ObjectNode m = j.putObject("metrics");
        r.metrics().forEach(m::put);
        return text(j);
    }

    /** @param d a diagnostic @return its line */
    public static String line(TrainingDiagnostic d) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "diagnostic").put("severity", d.severity().name()).put("code", d.code()).put("step", d.step())
                .put("message", d.message()).put("suggestion", d.suggestion());
        return text(j);
    }

    /**
     * @param mix how the training set was mixed
     * @return its line, {@code type: data_mix}
     */
    public static String dataMix(MixReport mix) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "data_mix");
        try {
            j.setAll((ObjectNode) JSON.readTree(mix.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("MixReport.toJson() wrote invalid JSON", e);
        }
        return text(j);
    }

    private static String text(ObjectNode j) {
        try {
            return LINE.writeValueAsString(j);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a metrics line", e);
        }
    }

    /** @param r a run start @return its line */
    public static String line(RunStart r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "run_start").put("start_step", r.startStep());
        if (r.time() != null) {
            j.put("time", r.time());
        }
        if (r.resumedFrom() != null) {
            j.put("resumed_from", r.resumedFrom());
        }
        return text(j);
    }

    /**
     * @param step the last step
     * @param stopReason why the run ended
     * @return the run-end line
     */
    public static String runEnd(long step, String stopReason) {
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "run_end").put("step", step).put("stop_reason", Objects.requireNonNull(stopReason));
        return text(j);
    }

    /**
     * @param file a {@code metrics.jsonl}
     * @return its records, later runs replacing the steps they repeated
     * @throws DataFormatException with file and line for a malformed line
     */
    public static TrainingHistory read(Path file) {
        return MetricsLogReader.read(file);
    }
}

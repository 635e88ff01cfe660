package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The trainer's state as {@code trainer_state.json}: the step, seed, data size and early-stopping
 * counters, and how far the run got. Not yet what the trainer's checkpoints write (their store also
 * keeps examples, memory and fingerprints, which exact resume needs). The key names of the
 * resumable part are the ones today's checkpoints use ({@code step}, {@code total_steps}, {@code seed},
 * {@code examples}, {@code best_value}, {@code best_step}, {@code evals_without_improvement},
 * {@code patience_reference}); {@link #read} also accepts those files, which have no {@code schema}.
 *
 * <p>Usage: {@code new TrainerState(TrainerState.SCHEMA, 120, 400, 0, 42, 320, "ndcg@10", 0.91, 100L, 1, 0.91, null, null, null).write(dir);}
 *
 * @param schema {@link #SCHEMA} (or null in a file written before it existed)
 * @param step optimizer steps completed
 * @param totalSteps steps planned
 * @param epoch the current 0-based epoch
 * @param seed the run's seed
 * @param examples training examples
 * @param bestMetric the primary metric, or null without an evaluator
 * @param bestValue its best value so far, or null before the first evaluation
 * @param bestStep the step of that value, or null
 * @param evalsWithoutImprovement evaluations since the last gain of at least minDelta
 * @param patienceReference the value those evaluations are compared to, or null
 * @param stopReason why the run ended, or null while it runs (checkpoints)
 * @param bestModelDir the folder holding the best model, relative to the output directory, or null
 * @param updatedAt when this was written (ISO-8601), or null
 */
public record TrainerState(String schema, long step, long totalSteps, int epoch, long seed, long examples,
        String bestMetric, Double bestValue, Long bestStep, int evalsWithoutImprovement, Double patienceReference,
        String stopReason, String bestModelDir, String updatedAt) {

    /** Schema id. */
    public static final String SCHEMA = "bge4j.trainer_state/1";
    /** File name. */
    public static final String FILE = "trainer_state.json";

    /** Checks the counters; infinite values (no evaluation yet) become null. */
    public TrainerState {
        if (step < 0 || totalSteps < 0 || examples < 0 || evalsWithoutImprovement < 0) {
            throw new IllegalArgumentException("trainer state counters must be >= 0: step=" + step + ", totalSteps="
                    + totalSteps + ", examples=" + examples + ", evalsWithoutImprovement=" + evalsWithoutImprovement);
        }
        bestValue = bestValue == null || !Double.isFinite(bestValue) ? null : bestValue;
        patienceReference = patienceReference == null || !Double.isFinite(patienceReference) ? null : patienceReference;
        bestStep = bestStep == null || bestStep < 0 ? null : bestStep;
    }

    /** @return the pretty-printed JSON */
    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(withSchema()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise trainer state", e);
        }
    }

    private TrainerState withSchema() {
        return schema != null ? this : new TrainerState(SCHEMA, step, totalSteps, epoch, seed, examples, bestMetric,
                bestValue, bestStep, evalsWithoutImprovement, patienceReference, stopReason, bestModelDir, updatedAt);
    }

    /**
     * Writes {@code dir/trainer_state.json}; one there that bge4j did not write is left alone.
     *
     * @param dir the output or checkpoint directory
     * @return what happened
     */
    public OutputFile write(Path dir) {
        return SafeFiles.write(dir.resolve(FILE), toJson(), TrainerState::isOurs, "trainer state");
    }

    static boolean isOurs(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            return n != null && (n.path("schema").asText().startsWith("bge4j.trainer_state/")
                    || (!n.has("schema") && n.has("total_steps") && n.has("patience_reference")));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * @param file a {@code trainer_state.json} written by bge4j (with or without a schema)
     * @return the state
     * @throws DataFormatException naming the file and the field when it is not one
     */
    public static TrainerState read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!isOurs(text)) {
            throw new DataFormatException(file, 0, "schema", "expected a bge4j trainer state (\"schema\": \"" + SCHEMA
                    + "\", written by TrainerState.write or a bge4j checkpoint)");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            for (String required : new String[] {"step", "total_steps", "seed", "examples"}) {
                if (!n.path(required).isNumber()) {
                    throw new DataFormatException(file, 0, required, "expected a number");
                }
            }
            return new TrainerState(n.hasNonNull("schema") ? n.get("schema").asText() : null,
                    n.get("step").asLong(), n.get("total_steps").asLong(), n.path("epoch").asInt(0),
                    n.get("seed").asLong(), n.get("examples").asLong(), text(n, "best_metric"),
                    number(n, "best_value"), n.path("best_step").isNumber() ? n.get("best_step").asLong() : null,
                    n.path("evals_without_improvement").asInt(0), number(n, "patience_reference"),
                    text(n, "stop_reason"), text(n, "best_model_dir"), text(n, "updated_at"));
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    /** Numbers, and the strings "Infinity"/"-Infinity"/"NaN" today's checkpoints write for "none yet". */
    private static Double number(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        double d = Objects.requireNonNullElse(tryParse(v.asText()), Double.NaN);
        return Double.isFinite(d) ? d : null;
    }

    private static Double tryParse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

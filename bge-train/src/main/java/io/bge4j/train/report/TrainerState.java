package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The trainer's state as {@code trainer_state.json}: the step, seed, data size and early-stopping
 * counters, how far the run got, and what exact resume needs besides tensors (the run's options,
 * the SHA-256 of its data and the cross-batch memory's texts and write position). This is the one
 * state format: every checkpoint ({@code checkpoints/step-NNNNNNNN}, {@code last-good}) writes its
 * {@code trainer_state.json} through {@link #write} and resume reads it back through {@link #read}.
 * Tensors (weights, AdamW moments, memory rows) and the refreshed examples stay in their own files
 * next to it. {@link #read} also accepts the schema-less files checkpoints wrote before this record
 * was their format (same key names; a missing {@code total_steps}, {@code seed} or {@code examples}
 * reads as 0).
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
 * @param dataSha256 SHA-256 of the training data (resume compares it), or null
 * @param options the run's options by name (resume compares them), never null (empty when unknown)
 * @param memory the cross-batch memory's texts and next write slot, or null without one
 */
public record TrainerState(String schema, long step, long totalSteps, int epoch, long seed, long examples,
        String bestMetric, Double bestValue, Long bestStep, int evalsWithoutImprovement, Double patienceReference,
        String stopReason, String bestModelDir, String updatedAt, String dataSha256, Map<String, String> options,
        Memory memory) {

    /**
     * The non-tensor part of a cross-batch memory (its rows are in {@code memory.safetensors}).
     *
     * <p>Usage: {@code new TrainerState.Memory(List.of("a passage"), 1)}
     *
     * @param texts the texts of the rows, in row order
     * @param next the ring buffer's next write slot
     */
    public record Memory(List<String> texts, int next) {
        /** Copies the texts. */
        public Memory {
            texts = List.copyOf(texts);
        }
    }

    /**
     * A state without resume data (options, data hash, memory), e.g. for a finished run's output folder.
     *
     * @param schema see the record
     * @param step see the record
     * @param totalSteps see the record
     * @param epoch see the record
     * @param seed see the record
     * @param examples see the record
     * @param bestMetric see the record
     * @param bestValue see the record
     * @param bestStep see the record
     * @param evalsWithoutImprovement see the record
     * @param patienceReference see the record
     * @param stopReason see the record
     * @param bestModelDir see the record
     * @param updatedAt see the record
     */
    public TrainerState(String schema, long step, long totalSteps, int epoch, long seed, long examples,
            String bestMetric, Double bestValue, Long bestStep, int evalsWithoutImprovement, Double patienceReference,
            String stopReason, String bestModelDir, String updatedAt) {
        this(schema, step, totalSteps, epoch, seed, examples, bestMetric, bestValue, bestStep,
                evalsWithoutImprovement, patienceReference, stopReason, bestModelDir, updatedAt, null, Map.of(), null);
    }

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
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
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
                bestValue, bestStep, evalsWithoutImprovement, patienceReference, stopReason, bestModelDir, updatedAt,
                dataSha256, options, memory);
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
                    || (!n.has("schema") && (n.has("total_steps") || n.has("data_sha256"))
                            && n.has("patience_reference")));
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
            boolean legacy = !n.hasNonNull("schema");
            for (String required : legacy ? new String[] {"step"} : new String[] {"step", "total_steps", "seed",
                "examples"}) {
                if (!n.path(required).isNumber()) {
                    throw new DataFormatException(file, 0, required, "expected a number");
                }
            }
            return new TrainerState(n.hasNonNull("schema") ? n.get("schema").asText() : null,
                    n.get("step").asLong(), n.path("total_steps").asLong(0), n.path("epoch").asInt(0),
                    n.path("seed").asLong(0), n.path("examples").asLong(0), text(n, "best_metric"),
                    number(n, "best_value"), n.path("best_step").isNumber() ? n.get("best_step").asLong() : null,
                    n.path("evals_without_improvement").asInt(0), number(n, "patience_reference"),
                    text(n, "stop_reason"), text(n, "best_model_dir"), text(n, "updated_at"),
                    text(n, "data_sha256"), options(file, n), memory(file, n));
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> options(Path file, JsonNode n) {
        JsonNode o = n.get("options");
        if (o == null || o.isNull()) {
            return Map.of();
        }
        if (!o.isObject()) {
            throw new DataFormatException(file, 0, "options", "expected an object of option name to value");
        }
        Map<String, String> m = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static Memory memory(Path file, JsonNode n) {
        JsonNode m = n.get("memory");
        if (m == null || m.isNull()) {
            return null;
        }
        if (!m.path("texts").isArray() || !m.path("next").isNumber()) {
            throw new DataFormatException(file, 0, "memory", "expected {\"texts\": [...], \"next\": n}");
        }
        List<String> texts = new ArrayList<>();
        m.get("texts").forEach(t -> texts.add(t.asText()));
        return new Memory(texts, m.get("next").asInt());
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

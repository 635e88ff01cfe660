package io.bge4j.train.report;

import io.bge4j.core.BgeModel;
import io.bge4j.core.DataFormatException;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.Comparison;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a fine-tuned model came from: the base model and its weights fingerprint, the training data
 * (size and hash), the full configuration, the loss, the metrics before and after (with confidence
 * intervals when a {@link Comparison} was made), how long training took, the software versions and
 * when it was written. Saved as {@code provenance.json} next to the model; the model card
 * ({@link ModelCardWriter}) is rendered from it. Its parts are records of their own: {@link BaseModelInfo},
 * {@link ModelInfo}, {@link TrainingData}, {@link TrainingSummary}, {@link EvaluationSummary} (of
 * {@link MetricChange}s) and {@link Versions}.
 *
 * <p>Usage:
 * <pre>{@code
 * String baseFingerprint = Fingerprints.model(model);        // before fit(): the model is trained in place
 * FinetuneResult r = finetuner.fit();
 * Provenance p = Provenance.builder()
 *     .baseModel("bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", baseFingerprint)
 *     .model(r.bestModel()).trainingSet(train).configuration(config).loss("InfoNCE, temperature 0.02")
 *     .training(r, Duration.ofSeconds(95)).evaluation(Comparison.of(before, after), "dev")
 *     .build();
 * p.write(Path.of("runs/demo/final"));
 * }</pre>
 *
 * @param schema {@link #SCHEMA}
 * @param baseModel the model training started from
 * @param model the saved model's shape
 * @param data the training data
 * @param configuration every training option, name → value (strings, numbers, booleans), in a stable order
 * @param loss the loss, in words
 * @param training steps, stop reason, time, best step
 * @param evaluation before/after metrics, or null when no evaluator ran
 * @param versions bge4j, DJL, engine, Java, OS
 * @param createdAt when this was written (ISO-8601, UTC)
 */
public record Provenance(String schema, BaseModelInfo baseModel, ModelInfo model, TrainingData data,
        Map<String, Object> configuration, String loss, TrainingSummary training, EvaluationSummary evaluation,
        Versions versions, String createdAt) {

    /** Schema id written in every provenance file. */
    public static final String SCHEMA = "bge4j.provenance/1";
    /** File name inside the model directory. */
    public static final String FILE = "provenance.json";

    /** Validates and copies; configuration values are normalised (integers to Long, decimals to Double, the rest to String). */
    public Provenance {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(versions, "versions");
        Objects.requireNonNull(createdAt, "createdAt");
        configuration = ProvenanceParts.normalise(configuration == null ? Map.of() : configuration);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the pretty-printed JSON of {@code provenance.json} */
    public String toJson() {
        return ProvenanceFiles.toJson(this);
    }

    /**
     * Writes {@code dir/provenance.json}; a {@code provenance.json} there that bge4j did not write is left alone.
     *
     * @param dir the model directory
     * @return what happened
     */
    public OutputFile write(Path dir) {
        return ProvenanceFiles.write(this, dir);
    }

    /**
     * @param file a {@code provenance.json}
     * @return its content
     * @throws DataFormatException naming the file (and line) when it is not a bge4j provenance file
     */
    public static Provenance read(Path file) {
        return ProvenanceFiles.read(file);
    }

    /**
     * Collects a provenance; {@link #build()} checks that the required parts are there and names a missing one.
     *
     * <p>Usage: {@code Provenance.builder().baseModel(..).model(m).trainingData(set).loss("..").training(r, d).build()}
     */
    public static final class Builder {
        private BaseModelInfo baseModel;
        private ModelInfo model;
        private TrainingData data;
        private final Map<String, Object> configuration = new LinkedHashMap<>();
        private String loss;
        private TrainingSummary training;
        private EvaluationSummary evaluation;
        private Versions versions;
        private Instant createdAt;

        private Builder() {}

        /**
         * @param name its name
         * @param source where it was loaded from
         * @param fingerprint {@link Fingerprints#model} taken before training
         * @return this
         */
        public Builder baseModel(String name, String source, String fingerprint) {
            this.baseModel = new BaseModelInfo(name, source, fingerprint);
            return this;
        }

        /** @param trained the saved model (its weights are fingerprinted now) @return this */
        public Builder model(BgeModel trained) {
            this.model = ModelInfo.of(trained);
            return this;
        }

        /** @param info the saved model's shape @return this */
        public Builder model(ModelInfo info) {
            this.model = info;
            return this;
        }

        /** @param set the training set (its examples are fingerprinted now) @return this */
        public Builder trainingSet(TrainingSet set) {
            this.data = new TrainingData(set.name(), set.size(), Fingerprints.examples(set.examples()), "examples",
                    set.mix().orElse(null));
            return this;
        }

        /** @param data the training data, e.g. with a file hash from {@link Fingerprints#file} @return this */
        public Builder trainingData(TrainingData data) {
            this.data = data;
            return this;
        }

        /** @param options option name → value, added in iteration order @return this */
        public Builder configuration(Map<String, ?> options) {
            this.configuration.putAll(options);
            return this;
        }

        /** @param description the loss in words, e.g. {@code "InfoNCE (temperature 0.02, in-batch negatives)"} @return this */
        public Builder loss(String description) {
            this.loss = description;
            return this;
        }

        /** @param t how training went @return this */
        public Builder training(TrainingSummary t) {
            this.training = t;
            return this;
        }

        /**
         * @param r the fine-tune's result (steps, stop reason, best evaluation)
         * @param time wall-clock training time
         * @return this
         */
        public Builder training(FinetuneResult r, Duration time) {
            this.training = ProvenanceParts.training(r, time);
            return this;
        }

        /**
         * Before/after metrics with confidence intervals and p-values.
         *
         * @param c base vs fine-tuned on held-out queries
         * @param name the evaluation set's name
         * @return this
         */
        public Builder evaluation(Comparison c, String name) {
            this.evaluation = ProvenanceParts.evaluation(c, name);
            return this;
        }

        /**
         * Before/after metrics from the trainer's own evaluations (no intervals: it keeps only the means): the
         * evaluation at step 0 against the best one.
         *
         * @param r a result whose first evaluation ran before training
         * @param name the evaluation set's name
         * @return this
         * @throws IllegalArgumentException when there is no step-0 or no best evaluation
         */
        public Builder evaluation(FinetuneResult r, String name) {
            EvaluationRecord before = r.evaluations().stream().filter(e -> e.step() == 0).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("evaluation: the result has no evaluation at step 0"
                            + " (set evaluateBase(true))"));
            EvaluationRecord after = r.bestEvaluation()
                    .orElseThrow(() -> new IllegalArgumentException("evaluation: the result has no best evaluation"));
            return evaluation(before, after, name);
        }

        /**
         * Before/after means of two of the trainer's evaluations (no intervals).
         *
         * @param before the evaluation before training
         * @param after the evaluation of the saved weights
         * @param name the evaluation set's name
         * @return this
         */
        public Builder evaluation(EvaluationRecord before, EvaluationRecord after, String name) {
            this.evaluation = ProvenanceParts.evaluation(before, after, name);
            return this;
        }

        /** @param v versions (default {@link Versions#current()}) @return this */
        public Builder versions(Versions v) {
            this.versions = v;
            return this;
        }

        /** @param t the time written (default now) @return this */
        public Builder createdAt(Instant t) {
            this.createdAt = t;
            return this;
        }

        /**
         * @return the provenance
         * @throws IllegalArgumentException naming the first missing part
         */
        public Provenance build() {
            require(baseModel != null, "baseModel");
            require(model != null, "model");
            require(data != null, "trainingSet/trainingData");
            require(loss != null, "loss");
            require(training != null, "training");
            return new Provenance(SCHEMA, baseModel, model, data, configuration, loss, training, evaluation,
                    versions != null ? versions : Versions.current(),
                    (createdAt != null ? createdAt : Instant.now()).toString());
        }

        private static void require(boolean ok, String part) {
            if (!ok) {
                throw new IllegalArgumentException(part + " is required");
            }
        }
    }
}

package io.bge4j.train.merge;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.verdict.EvaluatorVerdict;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import io.bge4j.eval.verdict.Outcome;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Measures the merge ratio a {@link FinetuneVerdict} asks for: when the target improved but a general-domain guard
 * regressed ({@link FinetuneVerdict#needsMerge()}), runs a {@link MergeRatioSearch} between the base and the tuned
 * model, with the target evaluator and the evaluator of the guard that regressed most (by the verdict's delta) as
 * the bounded general-domain set, both judged by the verdict's metric, and attaches the chosen ratio to the verdict
 * ({@link FinetuneVerdict#withMerge}). The trainer ({@code Finetuner.Builder.mergeSearch}) and the quickstart both
 * measure through this class. The evaluators given here may differ from the ones the verdict was computed on (the
 * quickstart judges on test splits but searches on dev splits); guards are matched by the verdict's labels.
 *
 * <p>Usage:
 * <pre>{@code
 * Optional<VerdictMerge.Measured> m = VerdictMerge.builder().base(base).tuned(tuned).target(devEvaluator)
 *         .guard("wordnet", wordnetDevEvaluator).build().measure(verdict);
 * FinetuneVerdict v = m.map(VerdictMerge.Measured::verdict).orElse(verdict);
 * }</pre>
 */
public final class VerdictMerge {

    private static final double[] DEFAULT_RATIOS = {0, 0.25, 0.5, 0.75, 1};

    /** @return the grid of tuned weights searched by default, {@code 0, 0.25, 0.5, 0.75, 1} (a new array each call) */
    public static double[] defaultRatios() {
        return DEFAULT_RATIOS.clone();
    }
    /** The largest accepted fall of the general score below the base's by default. */
    public static final double DEFAULT_MAX_GENERAL_DROP = 0.01;

    /**
     * A measured merge.
     *
     * @param verdict the verdict carrying the measured {@link io.bge4j.eval.verdict.MergeSuggestion}
     * @param guard the verdict label of the guard whose drop was bounded
     * @param search every measured ratio and the chosen one
     */
    public record Measured(FinetuneVerdict verdict, String guard, RatioSearchResult search) {
        /** Checks for nulls. */
        public Measured {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(guard, "guard");
            Objects.requireNonNull(search, "search");
        }
    }

    private final Builder b;

    private VerdictMerge(Builder b) {
        this.b = b;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param v a verdict on the base and the tuned model of this search
     * @return the verdict with the measured merge, or empty when {@code v} does not need one
     * @throws IllegalArgumentException when the regressed guard has no evaluator here
     */
    public Optional<Measured> measure(FinetuneVerdict v) {
        if (!v.needsMerge()) {
            return Optional.empty();
        }
        EvaluatorVerdict worst = v.others().stream().filter(o -> o.outcome() == Outcome.REGRESSED)
                .min(Comparator.comparingDouble(o -> o.comparison().delta())).orElseThrow();
        Evaluator general = b.guards.get(worst.evaluator());
        if (general == null) {
            throw new IllegalArgumentException("guard '" + worst.evaluator() + "' regressed, but no evaluator was given"
                    + " for it; guards given: " + b.guards.keySet());
        }
        Metric metric = v.target().metric();
        RatioSearchResult r = MergeRatioSearch.builder().base(b.base).tuned(b.tuned).ratios(b.ratios)
                .target(judgedBy(b.target, metric)).general(judgedBy(general, metric)).maxGeneralDrop(b.maxGeneralDrop)
                .embedders(b.embedders).build().run();
        return Optional.of(new Measured(v.withMerge(r.toSuggestion()), worst.evaluator(), r));
    }

    /**
     * What to do once the merge ratio was measured.
     *
     * @param m the measured merge
     * @param base the base model as {@code bge4j merge --model} takes it (a preset or a folder)
     * @param tuned the tuned model's folder
     * @param output where the merge command should write
     * @param maxGeneralDrop the bound the search used
     * @return a comment line, and for a ratio strictly between 0 and 1 the {@code bge4j merge} command that writes
     *     that merge with its recipe
     */
    public static String nextStep(MergeSuggestion m, String base, Path tuned, Path output, double maxGeneralDrop) {
        double r = m.tunedWeight();
        if (r == 0) {
            return String.format(Locale.ROOT, "# measured: no merge with the tuned model kept the guard within %s of"
                    + " the base; keep the base, or train more gently (lower learning rate, fewer steps), or accept a"
                    + " larger drop (maxGeneralDrop / --max-general-drop)", maxGeneralDrop);
        }
        if (r == 1) {
            return String.format(Locale.ROOT, "# measured: the tuned model's own guard drop is within %s of the base;"
                    + " use %s", maxGeneralDrop, tuned);
        }
        return String.format(Locale.ROOT, "# use the measured weights, %.2f base / %.2f tuned; write that merge (with"
                + " its recipe):%nbge4j merge --model %s --weight %.2f --model %s --weight %.2f --output %s", 1 - r, r,
                base, 1 - r, tuned, r, output);
    }

    /** The evaluator with {@code metric} as its primary one, so the search ranks by the verdict's metric. */
    private static Evaluator judgedBy(Evaluator e, Metric metric) {
        return new Evaluator() {
            @Override
            public EvaluationResult evaluate(Embedder embedder) {
                return e.evaluate(embedder).withPrimary(metric);
            }

            @Override
            public String name() {
                return e.name();
            }
        };
    }

    /**
     * Options of a {@link VerdictMerge}; {@link #build()} checks them and names the bad one.
     *
     * <p>Usage: {@code VerdictMerge.builder().base(b).tuned(t).target(dev).guard("general", g).build()}
     */
    public static final class Builder {
        private BgeModel base;
        private BgeModel tuned;
        private Evaluator target;
        private final Map<String, Evaluator> guards = new LinkedHashMap<>();
        private double[] ratios = DEFAULT_RATIOS.clone();
        private double maxGeneralDrop = DEFAULT_MAX_GENERAL_DROP;
        private Function<BgeModel, Embedder> embedders = m -> m.embedder().build();

        private Builder() {}

        /** @param base the model before fine-tuning (required; read only, not closed) @return this */
        public Builder base(BgeModel base) {
            this.base = base;
            return this;
        }

        /** @param tuned the fine-tuned model (required; read only, not closed) @return this */
        public Builder tuned(BgeModel tuned) {
            this.tuned = tuned;
            return this;
        }

        /** @param target the target (dev) evaluator the search maximises (required) @return this */
        public Builder target(Evaluator target) {
            this.target = target;
            return this;
        }

        /**
         * @param label the guard's label in the verdict ({@link EvaluatorVerdict#evaluator()})
         * @param evaluator the evaluator the search bounds when that guard regressed @return this
         */
        public Builder guard(String label, Evaluator evaluator) {
            guards.put(Objects.requireNonNull(label, "label"), Objects.requireNonNull(evaluator, "evaluator"));
            return this;
        }

        /** @param tunedWeights the grid of tuned weights r (default 0, .25, .5, .75, 1) @return this */
        public Builder ratios(double... tunedWeights) {
            this.ratios = tunedWeights.clone();
            return this;
        }

        /** @param drop largest accepted fall of the general score below the base's (default 0.01) @return this */
        public Builder maxGeneralDrop(double drop) {
            this.maxGeneralDrop = drop;
            return this;
        }

        /** @param factory makes the embedder each ratio is evaluated with @return this */
        public Builder embedders(Function<BgeModel, Embedder> factory) {
            this.embedders = factory;
            return this;
        }

        /**
         * @return the measurer
         * @throws IllegalArgumentException naming the missing or bad option
         */
        public VerdictMerge build() {
            MergeRatioSearch.builder().base(base).tuned(tuned).target(target).ratios(ratios)
                    .maxGeneralDrop(maxGeneralDrop).embedders(embedders).build(); // the same checks as the search
            if (guards.isEmpty()) {
                throw new IllegalArgumentException("guard is required: the evaluator of at least one guard");
            }
            Builder copy = new Builder();
            copy.base = base;
            copy.tuned = tuned;
            copy.target = target;
            copy.guards.putAll(guards);
            copy.ratios = ratios.clone();
            copy.maxGeneralDrop = maxGeneralDrop;
            copy.embedders = embedders;
            return new VerdictMerge(copy);
        }
    }
}

package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.train.merge.VerdictMerge;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a fine-tune produced.
 *
 * <p>The evaluation before training, the best and the latest evaluation keep their per-query scores, so the result
 * can compare the base with the best (or final) model with a paired bootstrap interval and say whether
 * fine-tuning helped.
 *
 * <p>Usage: {@code FinetuneResult r = finetuner.fit(); r.bestModel().save(out); r.verdict().ifPresent(v -> System.out.print(v.render()));}
 *
 * @param finalModel the trained model (the instance passed to the builder, updated in place)
 * @param bestModel the best model by the primary metric (a separate copy; equals {@code finalModel} without an evaluator)
 * @param steps every optimizer step
 * @param evaluations every evaluation (the first, at step 0, is the base model when an evaluator is set)
 * @param diagnostics preflight and in-training findings
 * @param stopReason why training ended
 * @param stepsTaken the last completed step
 * @param outputDir where files were written, if an output directory was set
 * @param guards the general-domain guards, base vs best model (empty without {@code guardEvaluator})
 * @param mergeSearch the base/best merge ratio measured because the target improved while a guard regressed
 *     ({@link Finetuner.Builder#mergeSearch}); empty when none was needed or the option was off
 */
public record FinetuneResult(BgeModel finalModel, BgeModel bestModel, List<StepRecord> steps,
        List<EvaluationRecord> evaluations, List<TrainingDiagnostic> diagnostics, StopReason stopReason,
        long stepsTaken, Optional<Path> outputDir, List<GuardEvaluation> guards,
        Optional<VerdictMerge.Measured> mergeSearch) {

    /** Why training ended. */
    public enum StopReason {
        /** All planned steps were taken. */
        COMPLETED,
        /** The primary metric stopped improving for {@code patience} evaluations. */
        EARLY_STOPPED,
        /** The loss became NaN or infinite; the last good weights were kept. */
        NON_FINITE_LOSS
    }

    /** Copies the lists. */
    public FinetuneResult {
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
        diagnostics = List.copyOf(diagnostics);
        guards = List.copyOf(guards);
        mergeSearch = java.util.Objects.requireNonNull(mergeSearch, "mergeSearch");
    }

    /**
     * A result without a merge search.
     *
     * @param finalModel the trained model
     * @param bestModel the best model
     * @param steps every step
     * @param evaluations every evaluation
     * @param diagnostics findings
     * @param stopReason why training ended
     * @param stepsTaken the last completed step
     * @param outputDir where files were written
     * @param guards the general-domain guards
     */
    public FinetuneResult(BgeModel finalModel, BgeModel bestModel, List<StepRecord> steps,
            List<EvaluationRecord> evaluations, List<TrainingDiagnostic> diagnostics, StopReason stopReason,
            long stepsTaken, Optional<Path> outputDir, List<GuardEvaluation> guards) {
        this(finalModel, bestModel, steps, evaluations, diagnostics, stopReason, stepsTaken, outputDir, guards,
                Optional.empty());
    }

    /**
     * A result without guards.
     *
     * @param finalModel the trained model
     * @param bestModel the best model
     * @param steps every step
     * @param evaluations every evaluation
     * @param diagnostics findings
     * @param stopReason why training ended
     * @param stepsTaken the last completed step
     * @param outputDir where files were written
     */
    public FinetuneResult(BgeModel finalModel, BgeModel bestModel, List<StepRecord> steps,
            List<EvaluationRecord> evaluations, List<TrainingDiagnostic> diagnostics, StopReason stopReason,
            long stepsTaken, Optional<Path> outputDir) {
        this(finalModel, bestModel, steps, evaluations, diagnostics, stopReason, stepsTaken, outputDir, List.of());
    }

    /**
     * @param measured a merge search on this run's base and best model
     * @return a copy carrying it (its suggestion then reaches {@link #verdict()})
     */
    public FinetuneResult withMergeSearch(VerdictMerge.Measured measured) {
        return new FinetuneResult(finalModel, bestModel, steps, evaluations, diagnostics, stopReason, stepsTaken,
                outputDir, guards, Optional.of(measured));
    }

    /** @return the best evaluation, if any evaluation ran */
    public Optional<EvaluationRecord> bestEvaluation() {
        return evaluations.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b);
    }

    /** @return the evaluation of the base model (step 0), if one ran in this run */
    public Optional<EvaluationRecord> baseEvaluation() {
        return evaluations.stream().filter(e -> e.step() == 0).findFirst();
    }

    /** @return the evaluation of the final weights (made after the last step), if one ran */
    public Optional<EvaluationRecord> finalEvaluation() {
        return evaluations.isEmpty() || evaluations.get(evaluations.size() - 1).step() != stepsTaken ? Optional.empty()
                : Optional.of(evaluations.get(evaluations.size() - 1));
    }

    /**
     * Base vs {@code after} on the same queries from their per-query scores: a paired bootstrap interval (2,000
     * resamples, 95 %) and a randomisation-test p-value (10,000 permutations) for every metric, seed 42 — the
     * defaults of {@link Comparison#of}, with the trainer's primary metric ranking the changed queries.
     *
     * @param after a later evaluation of this run (for example {@link #bestEvaluation()})
     * @return the comparison, or empty when the base or {@code after} kept no per-query scores (no step-0
     *     evaluation, a resumed run, or an evaluator that reports means only)
     */
    public Optional<Comparison> comparedToBase(EvaluationRecord after) {
        Optional<EvaluationRecord> base = baseEvaluation();
        if (base.isEmpty() || base.get().result() == null || after.result() == null) {
            return Optional.empty();
        }
        EvaluationResult b = base.get().result();
        EvaluationResult a = after.result();
        if (b.perQuery().isEmpty() || !b.perQuery().keySet().equals(a.perQuery().keySet())) {
            return Optional.empty();
        }
        Comparison.Builder c = Comparison.builder().base(b.withName("base")).tuned(a.withName("step " + after.step()));
        primary(after, b, a).ifPresent(c::primary);
        return Optional.of(c.build());
    }

    private static Optional<Metric> primary(EvaluationRecord r, EvaluationResult b, EvaluationResult a) {
        try {
            Metric m = Metric.parse(r.primaryMetric());
            return b.metrics().contains(m) && a.metrics().contains(m) ? Optional.of(m) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Did fine-tuning help on the trainer's evaluator? Base vs best by the primary metric's paired interval.
     *
     * @return the verdict (the trainer's evaluator, then each guard, and the measured merge ratio when
     *     {@link #mergeSearch()} holds one), or empty when {@link #comparedToBase} has no comparison
     */
    public Optional<FinetuneVerdict> verdict() {
        Optional<EvaluationRecord> best = bestEvaluation();
        if (best.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Comparison> others = new java.util.LinkedHashMap<>();
        guards.forEach(g -> others.put(g.name(), g.comparison()));
        Optional<FinetuneVerdict> v = comparedToBase(best.get()).map(c -> FinetuneVerdict.of(best.get().result().name(),
                c, others, c.primary()));
        return mergeSearch.isEmpty() ? v : v.map(x -> x.withMerge(mergeSearch.get().search().toSuggestion()));
    }
}

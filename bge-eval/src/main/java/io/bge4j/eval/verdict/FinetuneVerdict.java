package io.bge4j.eval.verdict;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Did fine-tuning help? One {@link EvaluatorVerdict} per evaluator (the target first), and, when the target
 * improved but another evaluator regressed, the measured merge ratio that keeps most of the gain (or a note that
 * one should be measured).
 *
 * <p>The rule is the paired-bootstrap interval: improved when it lies above zero, regressed when below,
 * otherwise no significant change. A trainer prints it after fitting:
 * <pre>{@code
 * FinetuneVerdict v = FinetuneVerdict.of("dev", devComparison, Map.of("scifact", generalComparison), Metric.NDCG_AT_10);
 * if (v.needsMerge()) v = v.withMerge(search.run().toSuggestion());   // bge-train MergeRatioSearch
 * listener.message(v.render());
 * }</pre>
 *
 * @param target the target evaluator's verdict
 * @param others the other evaluators' verdicts (general-domain guards), in the order given
 * @param merge the measured merge suggestion, when one was measured
 */
public record FinetuneVerdict(EvaluatorVerdict target, List<EvaluatorVerdict> others, MergeSuggestion merge) {

    /** Copies the list. */
    public FinetuneVerdict {
        Objects.requireNonNull(target, "target");
        others = List.copyOf(others);
    }

    /**
     * @param targetName the target evaluator's label
     * @param target base vs tuned on the target evaluator
     * @param others label → base vs tuned on each other evaluator (iteration order kept)
     * @param metric the metric judged
     * @return the verdict, without a merge suggestion
     */
    public static FinetuneVerdict of(String targetName, Comparison target, Map<String, Comparison> others,
            Metric metric) {
        List<EvaluatorVerdict> vs = new ArrayList<>();
        others.forEach((name, c) -> vs.add(EvaluatorVerdict.of(name, c, metric)));
        return new FinetuneVerdict(EvaluatorVerdict.of(targetName, target, metric), vs, null);
    }

    /** @return every verdict, the target first */
    public List<EvaluatorVerdict> all() {
        List<EvaluatorVerdict> out = new ArrayList<>();
        out.add(target);
        out.addAll(others);
        return out;
    }

    /** @return true when the target improved and at least one other evaluator regressed: the case for a merge */
    public boolean needsMerge() {
        return target.outcome() == Outcome.IMPROVED
                && others.stream().anyMatch(v -> v.outcome() == Outcome.REGRESSED);
    }

    /**
     * @param suggestion a measured merge ratio
     * @return a copy carrying it
     */
    public FinetuneVerdict withMerge(MergeSuggestion suggestion) {
        return new FinetuneVerdict(target, others, Objects.requireNonNull(suggestion, "suggestion"));
    }

    /** @return the merge suggestion, when measured */
    public Optional<MergeSuggestion> optionalMerge() {
        return Optional.ofNullable(merge);
    }

    /** @return a one-line summary: what to do */
    public String headline() {
        return switch (target.outcome()) {
            case IMPROVED -> needsMerge()
                    ? "fine-tuning helped on " + target.evaluator() + " but cost general quality: " + mergeAdvice()
                    : "fine-tuning helped: keep the tuned model";
            case NO_SIGNIFICANT_CHANGE -> "no significant change on " + target.evaluator()
                    + ": the tuned model is not shown to be better; keep the base or get more/harder training data";
            case REGRESSED -> "fine-tuning made " + target.evaluator()
                    + " worse: keep the base and check the data (labels, negatives that are really positives)";
        };
    }

    private String mergeAdvice() {
        if (merge == null) {
            return "measure a merge ratio with the base (bge4j merge --search)";
        }
        if (merge.tunedWeight() == 0) {
            return "no measured merge kept the general-domain drop within the bound; keep the base";
        }
        return merge.tunedWeight() == 1 ? "the tuned model's general-domain drop is within the measured bound; keep"
                + " the tuned model" : "merge with the base at the measured ratio";
    }

    /** @return the verdict as text lines: the headline, one line per evaluator, and the merge line if any */
    public String render() {
        StringBuilder sb = new StringBuilder("verdict: ").append(headline()).append('\n');
        for (EvaluatorVerdict v : all()) {
            sb.append("  ").append(v.line()).append('\n');
        }
        if (merge != null) {
            sb.append("  ").append(merge.line()).append('\n');
        }
        return sb.toString();
    }
}

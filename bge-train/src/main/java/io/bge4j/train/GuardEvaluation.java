package io.bge4j.train;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import java.util.Objects;

/**
 * A general-domain regression guard's results for one run: the base model before training and the best model after
 * it, on the same queries (see {@link Finetuner.Builder#guardEvaluator}).
 *
 * <p>Usage: {@code result.guards().forEach(g -> System.out.println(g.name() + " " + g.comparison().metric(Metric.NDCG_AT_10)));}
 *
 * @param name the guard evaluator's name
 * @param base its result for the base model (per-query scores kept)
 * @param tuned its result for the best model of the run
 */
public record GuardEvaluation(String name, EvaluationResult base, EvaluationResult tuned) {

    /** Checks that nothing is missing. */
    public GuardEvaluation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(tuned, "tuned");
    }

    /** @return base vs tuned with paired bootstrap intervals and p-values (bge-eval's defaults) */
    public Comparison comparison() {
        return Comparison.of(base.withName("base"), tuned.withName("tuned"));
    }
}

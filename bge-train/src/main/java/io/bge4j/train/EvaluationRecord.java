package io.bge4j.train;

import io.bge4j.eval.EvaluationResult;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One evaluation during training.
 *
 * <p>The trainer keeps the full result, with every query's scores, for the evaluation before training (step 0),
 * the best evaluation and the latest one; for the others (and for records read back from {@code metrics.jsonl})
 * {@link #result()} is null. Equality, hash code and {@code toString} cover the logged values only (step, metric,
 * values, best flag), so a record read back from the metrics log equals the one the trainer made.
 *
 * <p>Usage: {@code listener.onEvaluation(r); r.primaryValue(); r.perQuery().ifPresent(res -> res.perQuery().size())}
 *
 * @param step the step after which it ran (0 = before training)
 * @param primaryMetric the name of the metric that selects the best checkpoint
 * @param primaryValue its value
 * @param metrics every scalar metric
 * @param isBest whether this is the best so far
 * @param result the evaluator's full result (per-query scores), or null when it was not kept
 */
public record EvaluationRecord(long step, String primaryMetric, double primaryValue, Map<String, Double> metrics,
        boolean isBest, EvaluationResult result) {

    /**
     * A record without per-query scores.
     *
     * @param step the step after which it ran
     * @param primaryMetric the primary metric's name
     * @param primaryValue its value
     * @param metrics every scalar metric
     * @param isBest whether this is the best so far
     */
    public EvaluationRecord(long step, String primaryMetric, double primaryValue, Map<String, Double> metrics,
            boolean isBest) {
        this(step, primaryMetric, primaryValue, metrics, isBest, null);
    }

    /** @return the full result with per-query scores, when the trainer kept it */
    public Optional<EvaluationResult> perQuery() {
        return Optional.ofNullable(result);
    }

    /** @return the same record without the per-query scores */
    public EvaluationRecord withoutPerQuery() {
        return result == null ? this : new EvaluationRecord(step, primaryMetric, primaryValue, metrics, isBest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluationRecord r && step == r.step && Double.compare(primaryValue, r.primaryValue) == 0
                && isBest == r.isBest && Objects.equals(primaryMetric, r.primaryMetric)
                && Objects.equals(metrics, r.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(step, primaryMetric, primaryValue, metrics, isBest);
    }

    @Override
    public String toString() {
        return "EvaluationRecord[step=" + step + ", primaryMetric=" + primaryMetric + ", primaryValue=" + primaryValue
                + ", metrics=" + metrics + ", isBest=" + isBest + (result == null ? "" : ", per-query scores kept")
                + "]";
    }
}

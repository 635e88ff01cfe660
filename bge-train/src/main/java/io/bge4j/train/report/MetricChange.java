package io.bge4j.train.report;

import java.util.Objects;

/**
 * One metric before and after training, an entry of {@link EvaluationSummary#metrics()}. Interval and
 * p-value are null when the evaluation did not keep per-query values (the trainer's own evaluations); a
 * value that was NaN is null.
 *
 * <p>Usage: {@code String.format("%+.4f", c.delta())}
 *
 * @param metric its key, e.g. {@code ndcg@10}
 * @param before base model value
 * @param after fine-tuned value
 * @param delta {@code after - before}
 * @param ciLow lower end of the paired-bootstrap interval of the delta, or null
 * @param ciHigh upper end, or null
 * @param pValue paired randomisation test p-value, or null
 */
public record MetricChange(String metric, Double before, Double after, Double delta, Double ciLow, Double ciHigh,
        Double pValue) {
    /** NaN becomes null. */
    public MetricChange {
        Objects.requireNonNull(metric, "metric");
        before = ProvenanceParts.finite(before);
        after = ProvenanceParts.finite(after);
        delta = ProvenanceParts.finite(delta);
        ciLow = ProvenanceParts.finite(ciLow);
        ciHigh = ProvenanceParts.finite(ciHigh);
        pValue = ProvenanceParts.finite(pValue);
    }
}

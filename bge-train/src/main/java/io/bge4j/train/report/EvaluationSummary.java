package io.bge4j.train.report;

import java.util.List;
import java.util.Objects;

/**
 * Metrics before and after training on held-out queries, as recorded in {@link Provenance#evaluation()}.
 *
 * <p>Usage: {@code double low = provenance.evaluation().metrics().get(0).ciLow();}
 *
 * @param name the evaluation set's name
 * @param queries how many queries were evaluated (null when unknown)
 * @param primaryMetric the metric that picked the best model
 * @param confidence the confidence level of the intervals (null without intervals)
 * @param metrics one entry per metric, the primary first
 */
public record EvaluationSummary(String name, Long queries, String primaryMetric, Double confidence,
        List<MetricChange> metrics) {
    /** Copies the list. */
    public EvaluationSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(primaryMetric, "primaryMetric");
        metrics = List.copyOf(metrics);
    }
}

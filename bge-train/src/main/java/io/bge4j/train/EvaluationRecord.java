package io.bge4j.train;

import java.util.Map;

/**
 * One evaluation during training.
 *
 * <p>Usage: {@code listener.onEvaluation(r); r.primaryValue()}
 *
 * @param step the step after which it ran (0 = before training)
 * @param primaryMetric the name of the metric that selects the best checkpoint
 * @param primaryValue its value
 * @param metrics every scalar metric
 * @param isBest whether this is the best so far
 */
public record EvaluationRecord(long step, String primaryMetric, double primaryValue, Map<String, Double> metrics,
        boolean isBest) {}
